/**
 * Type names come from frame metadata (the source's `format_type`) and are emitted into DDL as
 * given: `numeric(38,10)`, `character varying(20)`, `timestamp with time zone`, `integer[]`,
 * `"My Type"`, `other."Mood"`, `numeric(5,-2)` (PostgreSQL 15 allows a negative scale). This check
 * lets exactly that grammar through and nothing that could end a statement: outside double quotes only
 * letters, digits, `_ $ , . ( ) [ ]`, spaces, and a minus sign that starts a number inside a type
 * modifier (after `(` or `,`, before a digit — never `--`, which would start a comment).
 */
export function isSafeTypeName(typeName: string): boolean {
  if (typeName.trim() === '') return false;
  let inQuotes = false;
  for (let i = 0; i < typeName.length; i++) {
    const ch = typeName[i];
    if (inQuotes) {
      if (ch === '"') {
        if (typeName[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (ch === '\0') {
        return false;
      }
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === '-') {
      if (!/[(,]\s*$/.test(typeName.slice(0, i)) || !/[0-9]/.test(typeName[i + 1] ?? '')) return false;
    } else if (!/[A-Za-z0-9_$,.()[\] ]/.test(ch) && !(ch.codePointAt(0)! > 0x7f)) {
      return false;
    }
  }
  return !inQuotes;
}

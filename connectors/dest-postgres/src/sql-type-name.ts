/**
 * Type names come from frame metadata (the source's `format_type`) and are emitted into DDL as
 * given: `numeric(38,10)`, `character varying(20)`, `timestamp with time zone`, `integer[]`,
 * `"My Type"`, `other."Mood"`. This check lets exactly that grammar through and nothing that
 * could end a statement: outside double quotes only letters, digits, `_ $ , . ( ) [ ]` and spaces.
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
    } else if (!/[A-Za-z0-9_$,.()[\] ]/.test(ch) && !(ch.codePointAt(0)! > 0x7f)) {
      return false;
    }
  }
  return !inQuotes;
}

/**
 * The unqualified, unquoted name of a type name: `mood` -> mood, `other."Mood"` -> Mood,
 * `"a.b"` -> a.b. Used to recreate a source enum type in the destination schema.
 */
export function unqualifiedTypeName(typeName: string): string {
  let inQuotes = false;
  let lastDot = -1;
  for (let i = 0; i < typeName.length; i++) {
    const ch = typeName[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '.' && !inQuotes) lastDot = i;
  }
  const part = typeName.slice(lastDot + 1).trim();
  if (part.length >= 2 && part.startsWith('"') && part.endsWith('"')) return part.slice(1, -1).replace(/""/g, '"');
  return part;
}

/**
 * The element type name of an array type name: `mood[]` -> mood, `other."Mood"[][]` ->
 * other."Mood" (`format_type` never prints dimensions); undefined when it is not an array.
 */
export function arrayElementTypeName(typeName: string): string | undefined {
  const m = /^(.*?)(?:\s*\[\d*\])+$/s.exec(typeName.trim());
  return m && m[1] ? m[1] : undefined;
}

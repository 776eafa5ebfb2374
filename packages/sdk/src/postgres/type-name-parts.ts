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

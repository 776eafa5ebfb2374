/** A source stream name split into schema and table (`public.users`, `"My.Schema"."T"`, `users`). */
export interface QualifiedName {
  readonly schema: string;
  readonly table: string;
}

/** Splits on the first dot outside double quotes; a bare name means schema `public`. */
export function parseStreamName(name: string): QualifiedName {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '"') {
      if (quoted && name[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if (ch === '.' && !quoted && parts.length === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.length === 2 ? { schema: parts[0] as string, table: parts[1] as string } : { schema: 'public', table: parts[0] as string };
}

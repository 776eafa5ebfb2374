/** A stream name split into the schema and relation it names. */
export interface StreamName {
  readonly schema: string;
  readonly table: string;
}

/** The schema a bare stream name (`users`) refers to. */
export const DEFAULT_SCHEMA = 'public';

/**
 * `public.users` -> { public, users }; `public.TypeZoo` keeps its case (a stream name holds the
 * names as Postgres stores them, not SQL); `"my.schema"."a""b"` -> { my.schema, a"b }; a bare
 * name means `public`. Splits on the first `.` that is not inside double quotes.
 */
export function parseStreamName(name: string): StreamName {
  let inQuotes = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '.' && !inQuotes) {
      return { schema: unquotePart(name.slice(0, i)), table: unquotePart(name.slice(i + 1)) };
    }
  }
  return { schema: DEFAULT_SCHEMA, table: unquotePart(name) };
}

/** The inverse of `parseStreamName`: parts with a `.` or `"` are quoted. */
export function formatStreamName(schema: string, table: string): string {
  return `${formatPart(schema)}.${formatPart(table)}`;
}

function formatPart(part: string): string {
  return /[".]/.test(part) ? `"${part.replace(/"/g, '""')}"` : part;
}

function unquotePart(part: string): string {
  if (part.length >= 2 && part.startsWith('"') && part.endsWith('"')) {
    return part.slice(1, -1).replace(/""/g, '"');
  }
  return part;
}

import { parseStreamName } from '@rapidbyte/sdk/postgres';

/** True when a stream `name` selects tables by pattern (`*` any run of characters, `?` one character). */
export function isStreamPattern(name: string): boolean {
  return /[*?]/.test(name);
}

function globRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'su');
}

/**
 * Whether `pattern` (a stream name or a glob: `public.*`, `*.orders`, `sales.order_?`) selects
 * the stream `name`. Schema and table are matched separately, after unquoting, so `*` never
 * crosses the schema dot; a bare pattern means the `public` schema, like a bare stream name.
 */
export function matchesStreamPattern(pattern: string, name: string): boolean {
  const p = parseStreamName(pattern);
  const n = parseStreamName(name);
  return globRegExp(p.schema).test(n.schema) && globRegExp(p.table).test(n.table);
}

import type { PgColumn } from '@rapidbyte/sdk';
import { CHANGE_LOG_COLUMNS } from './cdc-snapshot-copy.js';

/**
 * A change log (cdc × append) has columns `_rb_op`, `_rb_lsn` and `_rb_unchanged` of its own, so
 * a stream that reads source columns of those names cannot be logged: the values of one would
 * overwrite the other's. Returns the clashing columns and the message of the permanent
 * `CDC_COLUMN_RESERVED` the stream fails with (raised before the table is published), naming the
 * stream, the columns and the ways out (a column list without them, or `upsert`, where they are
 * ordinary columns); undefined when no column clashes.
 */
export function changeLogClash(
  stream: string,
  columns: readonly PgColumn[],
): { readonly columns: string[]; readonly message: string } | undefined {
  const reserved = new Set(CHANGE_LOG_COLUMNS.map((c) => c.name));
  const clashes = columns.filter((c) => reserved.has(c.name)).map((c) => c.name);
  if (clashes.length === 0) return undefined;
  const rest = columns
    .filter((c) => !reserved.has(c.name))
    .map((c) => (/^[a-z_][a-z0-9_]*$/.test(c.name) ? c.name : JSON.stringify(c.name)));
  const s = clashes.length > 1 ? 's' : '';
  return {
    columns: clashes,
    message:
      `${stream}: source column${s} ${clashes.map((c) => JSON.stringify(c)).join(', ')} ${s ? 'have the names' : 'has the name'} of ` +
      `the change log's own column${s} (cdc × append adds ${[...reserved].join(', ')}); leave ${s ? 'them' : 'it'} out with a column list ` +
      `on the stream (columns: [${rest.join(', ')}]) or load the stream with write_mode: upsert, where ${s ? 'they are ordinary columns' : 'it is an ordinary column'}. ` +
      `Nothing was changed (the table was not published)`,
  };
}

import type { CatalogColumn } from '@rapidbyte/sdk/contract';

/** A suggested `cursor_field` for incremental sync and why. */
export interface CursorSuggestion {
  readonly column: string;
  readonly reason: string;
}

const UPDATED =
  /^(updated|modified|changed|last_updated|last_modified|last_changed|updated_?time|modified_?time)(_at|_on|_ts|_time|_date)?$/i;
const TIME_TYPE = /^(timestamp|date)/i;
const INT_TYPE = /^(bigint|integer|smallint)$/i;

/**
 * The column an incremental stream most likely wants as its cursor: a timestamp named like
 * `updated_at`/`modified_at`, else any timestamp with `updated`/`modified` in its name, else a
 * single integer primary key (append-only tables). Undefined when nothing fits.
 */
export function suggestCursor(
  columns: readonly CatalogColumn[],
  primaryKey: readonly string[],
): CursorSuggestion | undefined {
  const times = columns.filter((c) => TIME_TYPE.test(c.type));
  const exact = times.find((c) => UPDATED.test(c.name));
  if (exact) return { column: exact.name, reason: `${exact.type} named like a last-change time` };
  const loose = times.find((c) => /updated|modified/i.test(c.name));
  if (loose) return { column: loose.name, reason: `${loose.type} named like a last-change time` };
  const key =
    primaryKey.length === 1 ? columns.find((c) => c.name === primaryKey[0] && INT_TYPE.test(c.type)) : undefined;
  if (key) return { column: key.name, reason: 'integer primary key (catches inserts, not updates)' };
  return undefined;
}

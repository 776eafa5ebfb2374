/** How a source reads a stream. */
export const SYNC_MODES = ['full_refresh', 'incremental', 'cdc'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** How a destination applies the rows of a stream. */
export const WRITE_MODES = ['append', 'replace', 'upsert'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/**
 * What an incremental read does with rows whose cursor is NULL: no stored cursor can order them,
 * so `>=` would never read them. `fail` (default) stops the stream naming the count, `skip` leaves
 * them out with a warning, `include` reads them after the ordered chunks on every run.
 */
export const ON_NULL_CURSOR = ['fail', 'skip', 'include'] as const;
export type OnNullCursor = (typeof ON_NULL_CURSOR)[number];

/** Where cursors, run history and dead letters are kept. */
export const STATE_BACKENDS = ['sqlite', 'postgres'] as const;
export type StateBackend = (typeof STATE_BACKENDS)[number];

/**
 * Valid (sync_mode, write_mode) pairs. `cdc × upsert` applies the changes; `cdc × append`
 * keeps a change log (`_rb_op`, `_rb_lsn`). Every other pair is a config error.
 */
export const VALID_MODE_PAIRS: Readonly<Record<SyncMode, readonly WriteMode[]>> = Object.freeze({
  full_refresh: Object.freeze(['append', 'replace', 'upsert'] as const),
  incremental: Object.freeze(['append', 'upsert'] as const),
  cdc: Object.freeze(['upsert', 'append'] as const),
});

/** Rows between checkpoints when the pipeline sets none. */
export const DEFAULT_CHECKPOINT_ROWS = 500_000;

/**
 * Average on-disk bytes per row of a relation from its statistics (`pg_relation_size /
 * reltuples`, TOAST included), or undefined when the relation was never analysed or is a view.
 */
export const AVERAGE_ROW_BYTES_SQL = `SELECT CASE WHEN c.reltuples > 0
    THEN ((pg_relation_size(c.oid) + COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0)) / c.reltuples)::bigint::text END
  FROM pg_catalog.pg_class c WHERE c.oid = $1::oid`;

/**
 * Rows per checkpoint chunk: `checkpointIntervalRows`, cut down so a chunk holds about
 * `checkpointIntervalBytes` when the table's average row size is known. At least 1.
 */
export function chunkRowsFor(
  intervalRows: number,
  intervalBytes: number | undefined,
  averageRowBytes: number | undefined,
): number {
  const byRows = Number.isSafeInteger(intervalRows) && intervalRows > 0 ? intervalRows : DEFAULT_CHECKPOINT_ROWS;
  if (!intervalBytes || intervalBytes <= 0 || !averageRowBytes || averageRowBytes <= 0) return byRows;
  return Math.max(1, Math.min(byRows, Math.floor(intervalBytes / averageRowBytes)));
}

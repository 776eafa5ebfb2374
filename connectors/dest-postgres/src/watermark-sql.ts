import { quoteQualified } from '@rapidbyte/sdk/postgres';

/**
 * The per-schema watermark table: one row per (pipeline, stream) holding the payload of the last
 * checkpoint whose data is committed. It is written in the same transaction as that data, so it is
 * the authoritative resume point of the stream (the state DB may lag behind it after a crash).
 * `epoch` counts the write sessions that took the stream (fencing, see watermark-store.ts): a
 * session creates the row before its first commit, so a NULL payload means never committed, as a
 * missing row does.
 */
export const WATERMARK_TABLE = '_rb_watermarks';

/** `CREATE TABLE IF NOT EXISTS "<schema>"."_rb_watermarks" (...)`. */
export function watermarkTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(schema, WATERMARK_TABLE)} (
  pipeline text NOT NULL,
  stream text NOT NULL,
  payload jsonb,
  epoch bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, stream)
)`;
}

/** `$1` = the watermark table's oid -> 't' when it has the `epoch` column (tables created before fencing lack it). */
export const WATERMARK_HAS_EPOCH_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_attribute WHERE attrelid = $1::oid AND attname = 'epoch' AND NOT attisdropped
)::text`;

/**
 * Brings a watermark table created before fencing to the current shape: the `epoch` column (a
 * constant default: no table rewrite) and a nullable payload. Both parts are idempotent, so two
 * sessions migrating at once are fine (the second waits for the first's lock, then changes nothing).
 */
export function watermarkEpochMigrationSql(schema: string): string {
  return `ALTER TABLE ${quoteQualified(schema, WATERMARK_TABLE)} ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0, ALTER COLUMN payload DROP NOT NULL`;
}

/** `$1` = pipeline, `$2` = stream -> the stored payload as JSON text (no row, or a NULL payload: never committed). */
export function readWatermarkSql(schema: string): string {
  return `SELECT payload::text FROM ${quoteQualified(schema, WATERMARK_TABLE)} WHERE pipeline = $1 AND stream = $2 AND payload IS NOT NULL`;
}

/**
 * `$1` = pipeline, `$2` = stream -> the session's epoch: the stream's counter plus one, committed on
 * its own (autocommit) before the session reads its resume point. The row lock of the upsert waits
 * for an older session's commit in flight, which is then part of what the resume point covers.
 * A first session creates the row with no payload.
 */
export function takeEpochSql(schema: string): string {
  return `INSERT INTO ${quoteQualified(schema, WATERMARK_TABLE)} AS w (pipeline, stream, epoch)
VALUES ($1, $2, 1)
ON CONFLICT (pipeline, stream) DO UPDATE SET epoch = w.epoch + 1
RETURNING epoch::text`;
}

/**
 * `$1` = pipeline, `$2` = stream, `$3` = payload (JSON text), `$4` = the session's epoch -> the
 * stream's current epoch. Writes the payload only when the current epoch is still the session's;
 * either way the row stays locked until the transaction ends, so no newer session can take the
 * stream between this check and the COMMIT. The caller rolls back when another epoch comes back.
 * A missing row (deleted by hand) is inserted, as before fencing.
 */
export function fencedWatermarkSql(schema: string): string {
  return `INSERT INTO ${quoteQualified(schema, WATERMARK_TABLE)} AS w (pipeline, stream, payload, epoch, updated_at)
VALUES ($1, $2, $3::jsonb, $4::bigint, now())
ON CONFLICT (pipeline, stream) DO UPDATE SET
  payload = CASE WHEN w.epoch = EXCLUDED.epoch THEN EXCLUDED.payload ELSE w.payload END,
  updated_at = CASE WHEN w.epoch = EXCLUDED.epoch THEN EXCLUDED.updated_at ELSE w.updated_at END
RETURNING epoch::text`;
}

/**
 * `$1` = pipeline, `$2` = stream -> the stream's current epoch, its row share-locked until the
 * transaction ends (a newer session's epoch upsert waits for it): the fence of a commit that
 * writes data but no watermark.
 */
export function epochFenceSql(schema: string): string {
  return `SELECT epoch::text FROM ${quoteQualified(schema, WATERMARK_TABLE)} WHERE pipeline = $1 AND stream = $2 FOR SHARE`;
}

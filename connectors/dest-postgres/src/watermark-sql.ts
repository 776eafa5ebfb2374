import { quoteQualified } from '@rapidbyte/sdk/postgres';

/**
 * The per-schema watermark table: one row per (pipeline, stream) holding the payload of the last
 * checkpoint whose data is committed. It is written in the same transaction as that data, so it is
 * the authoritative resume point of the stream (the state DB may lag behind it after a crash).
 */
export const WATERMARK_TABLE = '_rb_watermarks';

/** `CREATE TABLE IF NOT EXISTS "<schema>"."_rb_watermarks" (...)`. */
export function watermarkTableDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(schema, WATERMARK_TABLE)} (
  pipeline text NOT NULL,
  stream text NOT NULL,
  payload jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, stream)
)`;
}

/** `$1` = pipeline, `$2` = stream -> the stored payload as JSON text (no row: never committed). */
export function readWatermarkSql(schema: string): string {
  return `SELECT payload::text FROM ${quoteQualified(schema, WATERMARK_TABLE)} WHERE pipeline = $1 AND stream = $2`;
}

/** `$1` = pipeline, `$2` = stream, `$3` = payload (JSON text): inserts or replaces the row. */
export function upsertWatermarkSql(schema: string): string {
  return `INSERT INTO ${quoteQualified(schema, WATERMARK_TABLE)} AS w (pipeline, stream, payload, updated_at)
VALUES ($1, $2, $3::jsonb, now())
ON CONFLICT (pipeline, stream) DO UPDATE SET payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at`;
}

import { describe, expect, it } from 'vitest';
import {
  epochFenceSql,
  fencedWatermarkSql,
  readWatermarkSql,
  takeEpochSql,
  WATERMARK_HAS_EPOCH_SQL,
  WATERMARK_TABLE,
  watermarkEpochMigrationSql,
  watermarkTableDdl,
} from '../src/watermark-sql.js';

describe('watermark SQL', () => {
  it('creates the table in the destination schema, quoted, keyed by (pipeline, stream), with an epoch', () => {
    const ddl = watermarkTableDdl('Raw "Data"');
    expect(WATERMARK_TABLE).toBe('_rb_watermarks');
    expect(ddl).toMatch(/^CREATE TABLE IF NOT EXISTS "Raw ""Data"""\."_rb_watermarks" \(/);
    // a session creates its row (its epoch) before its first commit: no payload yet
    expect(ddl).toContain('payload jsonb,');
    expect(ddl).not.toContain('payload jsonb NOT NULL');
    expect(ddl).toContain('epoch bigint NOT NULL DEFAULT 0');
    expect(ddl).toContain('updated_at timestamptz NOT NULL DEFAULT now()');
    expect(ddl).toContain('PRIMARY KEY (pipeline, stream)');
  });

  it('migrates a table created before fencing: adds the epoch, makes the payload nullable, idempotently', () => {
    expect(WATERMARK_HAS_EPOCH_SQL).toContain("attrelid = $1::oid AND attname = 'epoch' AND NOT attisdropped");
    expect(watermarkEpochMigrationSql('Raw')).toBe(
      'ALTER TABLE "Raw"."_rb_watermarks" ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0, ALTER COLUMN payload DROP NOT NULL',
    );
  });

  it('reads the payload as JSON text with parameters; a row without a payload was never committed', () => {
    expect(readWatermarkSql('select')).toBe(
      'SELECT payload::text FROM "select"."_rb_watermarks" WHERE pipeline = $1 AND stream = $2 AND payload IS NOT NULL',
    );
  });

  it('takes an epoch: the first session inserts epoch 1 without a payload, later ones add one, under the row lock', () => {
    const sql = takeEpochSql('Raw');
    expect(sql).toContain('INSERT INTO "Raw"."_rb_watermarks" AS w (pipeline, stream, epoch)');
    expect(sql).toContain('VALUES ($1, $2, 1)');
    expect(sql).toContain('ON CONFLICT (pipeline, stream) DO UPDATE SET epoch = w.epoch + 1');
    // the payload is left alone: taking an epoch commits nothing of the stream
    expect(sql).not.toMatch(/payload|updated_at/);
    expect(sql).toMatch(/RETURNING epoch::text$/);
  });

  it('writes the watermark only under the session epoch, and always returns the current epoch (one statement)', () => {
    const sql = fencedWatermarkSql('Raw');
    expect(sql).toContain('INSERT INTO "Raw"."_rb_watermarks" AS w (pipeline, stream, payload, epoch, updated_at)');
    expect(sql).toContain('VALUES ($1, $2, $3::jsonb, $4::bigint, now())');
    expect(sql).toContain('payload = CASE WHEN w.epoch = EXCLUDED.epoch THEN EXCLUDED.payload ELSE w.payload END');
    expect(sql).toContain(
      'updated_at = CASE WHEN w.epoch = EXCLUDED.epoch THEN EXCLUDED.updated_at ELSE w.updated_at END',
    );
    // no WHERE on the update: a refused row is still returned (and locked), so the caller learns the newer epoch
    expect(sql).not.toMatch(/DO UPDATE[\s\S]*WHERE/);
    expect(sql).toMatch(/RETURNING epoch::text$/);
  });

  it('fences a commit without a watermark with a share lock on the stream row', () => {
    expect(epochFenceSql('a"b')).toBe(
      'SELECT epoch::text FROM "a""b"."_rb_watermarks" WHERE pipeline = $1 AND stream = $2 FOR SHARE',
    );
  });
});

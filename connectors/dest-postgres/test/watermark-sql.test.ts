import { describe, expect, it } from 'vitest';
import { readWatermarkSql, upsertWatermarkSql, WATERMARK_TABLE, watermarkTableDdl } from '../src/watermark-sql.js';

describe('watermark SQL', () => {
  it('creates the table in the destination schema, quoted, keyed by (pipeline, stream)', () => {
    const ddl = watermarkTableDdl('Raw "Data"');
    expect(WATERMARK_TABLE).toBe('_rb_watermarks');
    expect(ddl).toMatch(/^CREATE TABLE IF NOT EXISTS "Raw ""Data"""\."_rb_watermarks" \(/);
    expect(ddl).toContain('payload jsonb NOT NULL');
    expect(ddl).toContain('updated_at timestamptz NOT NULL DEFAULT now()');
    expect(ddl).toContain('PRIMARY KEY (pipeline, stream)');
  });

  it('reads the payload as JSON text with parameters', () => {
    expect(readWatermarkSql('select')).toBe(
      'SELECT payload::text FROM "select"."_rb_watermarks" WHERE pipeline = $1 AND stream = $2',
    );
  });

  it('upserts the row: payload as jsonb parameter, replaced on conflict', () => {
    const sql = upsertWatermarkSql('Raw');
    expect(sql).toContain('INSERT INTO "Raw"."_rb_watermarks" AS w (pipeline, stream, payload, updated_at)');
    expect(sql).toContain('VALUES ($1, $2, $3::jsonb, now())');
    expect(sql).toContain(
      'ON CONFLICT (pipeline, stream) DO UPDATE SET payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at',
    );
  });
});

import { fileURLToPath } from 'node:url';
import { RecordBatch, Schema } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness, FakePostgres } from '@rapidbyte/sdk/testing';
import { RESOLVE_TABLE_SQL, TABLE_COLUMNS_SQL } from '../src/target-catalog.js';
import { PRIMARY_KEY_COLUMNS_SQL, UNIQUE_KEY_SQL } from '../src/key-check-sql.js';

// An upsert full refresh into a missing or empty table, keyed like its source, loads with plain
// COPY (nothing can conflict); any other upsert goes through the stage and the merge.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://loader:secret@wh.internal:5432/wh', schema: 'raw' };

/** A frame whose schema says the source's primary key is `id`. */
function keyedFrame(): RecordBatch {
  const b = batchFromRows([
    { id: 1, email: 'a@x' },
    { id: 2, email: null },
  ]);
  return new RecordBatch(new Schema(b.schema.fields, new Map([['rapidbyte.primary_key', '["id"]']])), b.data);
}

async function upsert(options: {
  exists: boolean;
  empty: boolean;
  syncMode?: 'full_refresh' | 'incremental';
  primaryKey?: string[];
}) {
  let created = options.exists;
  const pg = new FakePostgres({
    query: (sql) => {
      if (/^CREATE TABLE IF NOT EXISTS "raw"\."users"/.test(sql)) created = true;
      if (sql === RESOLVE_TABLE_SQL) return { rows: created ? [['16500']] : [] };
      if (sql === TABLE_COLUMNS_SQL)
        return {
          rows: [
            ['id', 'bigint', '20', 'N', 'false', '[]'],
            ['email', 'text', '25', 'S', 'true', '[]'],
          ],
        };
      if (sql === UNIQUE_KEY_SQL) return { rows: [['t']] };
      if (sql === PRIMARY_KEY_COLUMNS_SQL) return { rows: [['id']] };
      if (sql.startsWith('SELECT EXISTS (SELECT 1 FROM "raw"."users")')) return { rows: [[options.empty ? 'f' : 't']] };
      return undefined;
    },
  });
  const run = await harness.write({
    config,
    context: {
      pipeline: 'p',
      stream: {
        name: 'public.users',
        syncMode: options.syncMode ?? 'full_refresh',
        writeMode: 'upsert',
        destinationTable: 'users',
        ...(options.primaryKey && { primaryKey: options.primaryKey }),
      },
    },
    input: [keyedFrame(), { checkpoint: { mode: 'full_refresh', complete: true, rows: 2 } }],
    handlers: pg.handlers,
  });
  return { run, copies: pg.copyIns.map((c) => c.sql), sqls: pg.queries.map((q) => q.sql) };
}

describe('upsert first load', () => {
  it('a missing target: COPY straight into it, no stage, no merge', async () => {
    const { run, copies, sqls } = await upsert({ exists: false, empty: true });
    expect(run.outcome.ok).toBe(true);
    expect(copies).toEqual([expect.stringMatching(/^COPY "raw"\."users" \("id", "email"\) FROM STDIN/)]);
    expect(sqls.some((s) => s.includes('_rb_stage'))).toBe(false);
  });

  it('an empty target: COPY straight into it', async () => {
    const { run, copies } = await upsert({ exists: true, empty: true });
    expect(run.outcome.ok).toBe(true);
    expect(copies).toEqual([expect.stringMatching(/^COPY "raw"\."users"/)]);
  });

  it("a target with rows, an incremental stream, or a key other than the source's: stage and merge", async () => {
    for (const options of [
      { exists: true, empty: false },
      { exists: false, empty: true, syncMode: 'incremental' as const },
      { exists: false, empty: true, primaryKey: ['email'] },
    ]) {
      const { run, copies, sqls } = await upsert(options);
      expect(run.outcome.ok, JSON.stringify(run.outcome)).toBe(true);
      expect(copies, JSON.stringify(options)).toEqual([expect.stringMatching(/^COPY "pg_temp"\."_rb_stage_1"/)]);
      expect(
        sqls.some((s) => s.includes('ON CONFLICT')),
        JSON.stringify(options),
      ).toBe(true);
    }
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness, FakePostgres } from '@rapidbyte/sdk/testing';
import { RESOLVE_TABLE_SQL, TABLE_COLUMNS_SQL } from '../src/target-catalog.js';

// dest-postgres's append flow on the SDK's in-memory host: no database. The fake catalog knows the
// target table only once the connector has created it.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://loader:secret@wh.internal:5432/wh', schema: 'raw' };

describe('dest-postgres on the harness', () => {
  it('append: creates the table, COPYs the frames, commits them with the watermark at the marker and reports the commit', async () => {
    let created = false;
    const pg = new FakePostgres({
      query: (sql) => {
        if (/^CREATE TABLE IF NOT EXISTS "raw"\."users"/.test(sql)) created = true;
        if (sql === RESOLVE_TABLE_SQL) return { rows: created ? [['16500']] : [] };
        if (sql === TABLE_COLUMNS_SQL)
          return {
            rows: [
              ['id', 'bigint', '20', 'N', 'true', '[]'],
              ['email', 'text', '25', 'S', 'true', '[]'],
            ],
          };
        return undefined;
      },
    });
    const frame = batchFromRows([
      { id: 1, email: 'a@x' },
      { id: 2, email: null },
    ]);
    const run = await harness.write({
      config,
      context: { pipeline: 'p', stream: { name: 'public.users', writeMode: 'append', destinationTable: 'users' } },
      input: [frame, { checkpoint: { mode: 'full_refresh', complete: true, rows: 2 } }],
      handlers: pg.handlers,
    });
    expect(run.outcome.ok).toBe(true);
    expect(run.result).toEqual({ rows: 2, frames: 1 });
    expect(created).toBe(true);
    expect(pg.copyIns).toHaveLength(1);
    expect(pg.copyIns[0]?.sql).toMatch(/^COPY "raw"\."users" \("id", "email"\) FROM STDIN/);
    expect(pg.copyIns[0]?.frames.map((f) => f.numRows)).toEqual([2]);
    const sqls = pg.queries.map((q) => q.sql);
    const watermark = sqls.findIndex((s) => s.includes('_rb_watermarks') && s.startsWith('INSERT'));
    // inside the load's transaction (the one before it took the new table's key off)
    expect(sqls.lastIndexOf('BEGIN', watermark)).toBeGreaterThan(sqls.indexOf('COMMIT'));
    expect(sqls.indexOf('COMMIT', watermark)).toBeGreaterThan(watermark);
    // the engine learns the marker is committed only after the COMMIT; first it heard that the
    // destination holds nothing of the stream (no table yet), so the source starts from the beginning
    expect(run.checkpoints).toEqual([
      { kind: 'resume', payload: { mode: 'none', reason: 'the destination table "raw"."users" does not exist' } },
      { kind: 'committed', payload: { mode: 'full_refresh', complete: true, rows: 2 } },
    ]);
    expect(pg.open.size).toBe(0);
  });
});

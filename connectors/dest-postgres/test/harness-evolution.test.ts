import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness, FakePostgres } from '@rapidbyte/sdk/testing';
import { PRIMARY_KEY_COLUMNS_SQL, UNIQUE_KEY_SQL } from '../src/key-check-sql.js';
import { RESOLVE_TABLE_SQL, TABLE_COLUMNS_SQL } from '../src/target-catalog.js';

// Schema evolution mid-stream on the SDK's in-memory host: a frame whose schema differs from the
// one before ends the COPY, evolves the table inside the open transaction and starts a new COPY.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://loader:secret@wh.internal:5432/wh', schema: 'raw' };

function fakeTable(): { pg: FakePostgres; columns: string[][] } {
  const columns = [
    ['id', 'bigint', '20', 'N', 'true', '[]'],
    ['email', 'text', '25', 'S', 'true', '[]'],
  ];
  const pg = new FakePostgres({
    query: (sql) => {
      if (sql === RESOLVE_TABLE_SQL) return { rows: [['16500']] };
      if (sql === TABLE_COLUMNS_SQL) return { rows: columns };
      if (sql === PRIMARY_KEY_COLUMNS_SQL) return { rows: [['id']] };
      if (sql === UNIQUE_KEY_SQL) return { rows: [['t']] };
      const added = /^ALTER TABLE "raw"\."users" ADD COLUMN IF NOT EXISTS "(\w+)" (.+)$/.exec(sql);
      if (added) columns.push([added[1] ?? '', added[2] ?? '', '701', 'N', 'true', '[]']);
      return undefined;
    },
  });
  return { pg, columns };
}

describe('dest-postgres schema evolution mid-stream', () => {
  it('append: a frame with a new column adds it in the transaction and COPYs again with it', async () => {
    const { pg } = fakeTable();
    const run = await harness.write({
      config,
      context: { pipeline: 'p', stream: { name: 'public.users', writeMode: 'append', destinationTable: 'users' } },
      input: [
        batchFromRows([{ id: 1, email: 'a@x' }]),
        batchFromRows([
          { id: 2, email: 'b@x', score: 1.5 },
          { id: 3, email: null, score: null },
        ]),
        { checkpoint: { mode: 'full_refresh', complete: true, rows: 3 } },
      ],
      handlers: pg.handlers,
    });
    expect(run.outcome.ok, JSON.stringify(run.outcome)).toBe(true);
    expect(run.result).toEqual({
      rows: 3,
      frames: 2,
      schemaChanges: [{ column: 'score', change: 'new_column', action: 'add', to: 'double precision' }],
    });
    expect(pg.copyIns.map((c) => c.sql.replace(/ FROM STDIN.*/, ''))).toEqual([
      'COPY "raw"."users" ("id", "email")',
      'COPY "raw"."users" ("id", "email", "score")',
    ]);
    const sqls = pg.queries.map((q) => q.sql);
    const alter = sqls.findIndex((s) => s.startsWith('ALTER TABLE'));
    expect(alter).toBeGreaterThan(sqls.indexOf('BEGIN'));
    expect(sqls.indexOf('COMMIT')).toBeGreaterThan(alter);
  });

  it('append: new_column fail refuses the second frame naming the column', async () => {
    const { pg } = fakeTable();
    const run = await harness.write({
      config,
      context: {
        pipeline: 'p',
        stream: {
          name: 'public.users',
          writeMode: 'append',
          destinationTable: 'users',
          schemaEvolution: {
            newColumn: 'fail',
            removedColumn: 'ignore',
            typeChange: 'fail',
            nullabilityChange: 'allow',
          },
        },
      },
      input: [batchFromRows([{ id: 1, email: 'a@x' }]), batchFromRows([{ id: 2, email: 'b@x', score: 1.5 }])],
      handlers: pg.handlers,
    });
    expect(run.outcome.ok).toBe(false);
    expect(JSON.stringify(run.outcome)).toContain('SCHEMA_CHANGE_REFUSED');
    expect(JSON.stringify(run.outcome)).toContain('score');
    expect(pg.queries.some((q) => q.sql.startsWith('ALTER TABLE'))).toBe(false);
  });

  it('upsert: a frame whose source type changed (type_change: null) merges the stage, then loads that column as NULL from a new stage', async () => {
    const { pg } = fakeTable();
    const typed = (rows: Record<string, unknown>[], emailType: string) => {
      const batch = batchFromRows(rows);
      for (const f of batch.schema.fields) f.metadata.set('rapidbyte.pg_type', f.name === 'id' ? 'bigint' : emailType);
      return batch;
    };
    const run = await harness.write({
      config,
      context: {
        pipeline: 'p',
        stream: {
          name: 'public.users',
          writeMode: 'upsert',
          destinationTable: 'users',
          primaryKey: ['id'],
          schemaEvolution: {
            newColumn: 'add',
            removedColumn: 'ignore',
            typeChange: 'null',
            nullabilityChange: 'allow',
          },
        },
      },
      input: [
        typed([{ id: 1, email: 'a@x' }], 'text'),
        typed(
          [
            { id: 2, email: 'b@x' },
            { id: 3, email: 'c@x' },
          ],
          'character varying(40)',
        ),
      ],
      handlers: pg.handlers,
    });
    expect(run.outcome.ok, JSON.stringify(run.outcome)).toBe(true);
    expect(run.result).toEqual({
      rows: 3,
      frames: 2,
      schemaChanges: [
        { column: 'email', change: 'type_change', action: 'null', from: 'text', to: 'character varying(40)', rows: 2 },
      ],
    });
    expect(pg.copyIns.map((c) => c.sql.replace(/ FROM STDIN.*/, ''))).toEqual([
      'COPY "pg_temp"."_rb_stage_1" ("id", "email")',
      'COPY "pg_temp"."_rb_stage_2" ("id")',
    ]);
    const merges = pg.queries.map((q) => q.sql).filter((s) => s.startsWith('INSERT INTO "raw"."users"'));
    expect(merges).toHaveLength(2);
    expect(merges[1]).toContain('"email" = EXCLUDED."email"'); // NULL from the stage overwrites the old value
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { batchFromRows, ConnectorHarness, FakePostgres, failure } from '@rapidbyte/sdk/testing';
import { RESOLVE_TABLE_SQL, TABLE_COLUMNS_SQL } from '../src/target-catalog.js';
import { fencedWatermarkSql, takeEpochSql } from '../src/watermark-sql.js';

// Row isolation of dest-postgres on the SDK's in-memory host: the fake server refuses any COPY
// frame holding a bad id (as Postgres does with a CHECK violation). A plain attempt ends with the
// transient ROWS_REJECTED (nothing of the interval committed); the engine's next attempt
// (`isolateRows`) must load each frame under a savepoint, bisect a refused one, load exactly the
// good rows and apply `on_data_error`.
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));
const config = { url: 'postgres://loader:secret@wh.internal:5432/wh', schema: 'raw' };
const CHECK = 'new row for relation "users" violates check constraint "users_id_check"';

const ids = (b: RecordBatch): number[] => Array.from({ length: b.numRows }, (_, i) => Number(b.get(i)?.toJSON().id));
const frameOf = (from: number, to: number): RecordBatch =>
  batchFromRows(Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, email: `u${from + i}@x` })));

function fakeServer(bad: ReadonlySet<number>, epochNow?: string): FakePostgres {
  return new FakePostgres({
    query: (sql) => {
      if (sql === RESOLVE_TABLE_SQL) return { rows: [['16500']] };
      // the session took epoch 1; `epochNow`: what its commit finds
      if (sql === takeEpochSql('raw')) return { rows: [['1']] };
      if (sql === fencedWatermarkSql('raw')) return { rows: [[epochNow ?? '1']] };
      if (sql === TABLE_COLUMNS_SQL)
        return {
          rows: [
            ['id', 'bigint', '20', 'N', 'true', '[]'],
            ['email', 'text', '25', 'S', 'true', '[]'],
          ],
        };
      if (sql.includes('pg_constraint')) return { rows: [['id']] };
      return undefined;
    },
    copyIn: (_sql, frame) =>
      ids(frame).some((id) => bad.has(id)) ? failure('SQLSTATE_23514', CHECK, 'permanent', '23514') : undefined,
  });
}

async function load(
  policy: 'fail' | 'skip' | 'dlq',
  input: readonly (RecordBatch | { checkpoint: unknown })[],
  bad: ReadonlySet<number>,
  isolateRows = true,
  epochNow?: string,
) {
  const pg = fakeServer(bad, epochNow);
  const run = await harness.write({
    config,
    context: {
      pipeline: 'p',
      onDataError: policy,
      isolateRows,
      stream: { name: 'public.users', writeMode: 'append', destinationTable: 'users', primaryKey: ['id'] },
    },
    input,
    handlers: pg.handlers,
  });
  // rows that stayed: COPYs that ended (a refused one never ends; its savepoint is rolled back)
  const loaded = pg.copyIns
    .filter((c) => c.ended)
    .flatMap((c) => c.frames.flatMap(ids))
    .sort((a, b) => a - b);
  return { run, pg, loaded, sqls: pg.queries.map((q) => q.sql) };
}

const range = (from: number, to: number, except: ReadonlySet<number> = new Set()): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((i) => !except.has(i));

describe('dest-postgres row isolation (harness)', () => {
  it('a plain attempt that meets a rejected row fails with the transient ROWS_REJECTED, committing nothing of the interval', async () => {
    const { run, sqls } = await load(
      'skip',
      [frameOf(1, 20), frameOf(21, 40), { checkpoint: { mode: 'full_refresh', rows: 40 } }],
      new Set([25]),
      false,
    );
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.error).toMatchObject({ kind: 'transient', code: 'ROWS_REJECTED', sqlstate: '23514' });
    expect(run.outcome.error.message).toContain('public.users');
    expect(sqls.some((s) => s.includes('_rb_watermarks') && s.startsWith('INSERT') && s.includes('payload'))).toBe(
      false,
    );
    expect(sqls.some((s) => s.startsWith('SAVEPOINT'))).toBe(false);
    expect(run.checkpoints.filter((c) => c.kind === 'committed')).toEqual([]);
  });

  it('skip: bisects the failing interval, loads exactly the good rows, commits them with the watermark', async () => {
    const bad = new Set([3, 17, 18, 40]);
    const { run, loaded, sqls } = await load(
      'skip',
      [frameOf(1, 20), frameOf(21, 40), { checkpoint: { mode: 'full_refresh', rows: 40 } }, frameOf(41, 50)],
      bad,
    );
    expect(run.outcome.ok).toBe(true);
    expect(run.result).toMatchObject({ rows: 46, frames: 3, policy: 'skip', rejected: 4 });
    expect(loaded).toEqual(range(1, 50, bad));
    // every frame under a savepoint, the refused ones bisected; the good rows commit with the marker's watermark
    expect(sqls.filter((s) => s.startsWith('SAVEPOINT')).length).toBeGreaterThan(4);
    const watermark = sqls.findIndex(
      (s) => s.includes('_rb_watermarks') && s.startsWith('INSERT') && s.includes('payload'),
    );
    const commit = sqls.indexOf('COMMIT');
    expect(watermark).toBeGreaterThan(0);
    expect(commit).toBeGreaterThan(watermark);
    expect(run.checkpoints.at(-1)).toEqual({ kind: 'committed', payload: { mode: 'full_refresh', rows: 40 } });
    expect(run.leakedFrames).toBe(0);
  });

  it('dlq: each rejected row is a dead letter with its values, reason and category', async () => {
    const bad = new Set([5]);
    const { run, loaded } = await load('dlq', [frameOf(1, 8), { checkpoint: { mode: 'full_refresh', rows: 8 } }], bad);
    expect(run.outcome.ok).toBe(true);
    expect(loaded).toEqual(range(1, 8, bad));
    expect(run.deadLetters).toEqual([
      { record: { id: 5, email: 'u5@x' }, error: CHECK, category: 'destination:23514' },
    ]);
  });

  it('dlq: a commit the fence refuses sends no dead letters to the state DB (they are flushed only after the fence)', async () => {
    const input = [frameOf(1, 8), { checkpoint: { mode: 'full_refresh', rows: 8 } }];
    const flushes = (r: { requests: readonly { tag: string }[] }): number =>
      r.requests.filter((q) => q.tag === 'dead-letters-flush').length;
    const ok = await load('dlq', input, new Set([5]));
    expect(ok.run.outcome.ok).toBe(true);
    expect(flushes(ok.run)).toBe(1);
    const fenced = await load('dlq', input, new Set([5]), true, '2');
    expect(fenced.run.outcome.ok ? undefined : fenced.run.outcome.error).toMatchObject({ code: 'FENCED' });
    expect(flushes(fenced.run)).toBe(0);
    expect(fenced.sqls).not.toContain('COMMIT');
  });

  it('every row of a frame bad: the frame loads nothing, the next interval loads normally', async () => {
    const bad = new Set(range(11, 20));
    const { run, loaded, pg } = await load(
      'skip',
      [frameOf(1, 10), frameOf(11, 20), { checkpoint: { mode: 'full_refresh', rows: 20 } }, frameOf(21, 30)],
      bad,
    );
    expect(run.outcome.ok).toBe(true);
    expect(loaded).toEqual([...range(1, 10), ...range(21, 30)]);
    expect(run.result).toMatchObject({ rows: 20, rejected: 10 });
    // a frame with no bad row loads whole, in one COPY
    expect(pg.copyIns.at(-1)?.frames.map((f) => f.numRows)).toEqual([10]);
  });

  it('a zero-row frame and a clean interval of a plain attempt never isolate', async () => {
    const { run, sqls } = await load(
      'skip',
      [frameOf(1, 0), frameOf(1, 5), { checkpoint: { mode: 'full_refresh', rows: 5 } }],
      new Set(),
      false,
    );
    expect(run.outcome.ok).toBe(true);
    expect(run.result).toMatchObject({ rows: 5, frames: 2 });
    expect(run.result).not.toHaveProperty('rejected');
    expect(sqls.some((s) => s.startsWith('SAVEPOINT') || s === 'ROLLBACK')).toBe(false);
  });

  it('fail: ROW_REJECTED naming the stream, the constraint column, the SQLSTATE and the key', async () => {
    const { run } = await load(
      'fail',
      [frameOf(1, 20), { checkpoint: { mode: 'full_refresh', rows: 20 } }],
      new Set([7, 9]),
    );
    expect(run.outcome.ok).toBe(false);
    if (run.outcome.ok) return;
    expect(run.outcome.error).toMatchObject({
      kind: 'permanent',
      code: 'ROW_REJECTED',
      column: 'id',
      sqlstate: '23514',
    });
    expect(run.outcome.error.message).toContain('public.users');
    expect(run.outcome.error.message).toContain('id=7');
    expect(run.checkpoints.filter((c) => c.kind === 'committed')).toEqual([]);
  });
});

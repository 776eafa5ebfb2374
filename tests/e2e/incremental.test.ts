// Incremental sync by cursor (see docs/architecture.md#incremental-cursors): a second run picks up new rows and late ties
// (including a tie with a smaller primary key than the rows already delivered) without duplicates,
// under append and under upsert; every cursor type keeps its exact value; upsert updates in place
// and a replay changes nothing; lookback re-reads its window; state show/reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  duplicateKeys,
  expectTablesEqual,
  onlyStream,
  parseJson,
  pgEndpoint,
  rowCount,
  runCli,
  runSucceeded,
  testPg,
  writePipeline,
  type RunJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

interface StateView {
  stream: string;
  cursorField?: string;
  cursorValue?: string;
  resetPending: boolean;
  checkpoint?: unknown;
}

const WRITE_MODES = ['append', 'upsert'] as const;
type WriteMode = (typeof WRITE_MODES)[number];

/**
 * An incremental pg -> pg pipeline with one stream; `stream` is the flow mapping's extra keys.
 * append declares no key, so the destination table has none and a duplicate would show.
 */
function pipelineFile(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  table: string;
  writeMode: WriteMode;
  stream?: string;
  checkpointRows?: number;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
    - { name: ${o.table}, sync_mode: incremental, cursor_field: cur${o.stream ? `, ${o.stream}` : ''} }
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: ${o.writeMode}
${o.writeMode === 'upsert' ? '  primary_key: [id]\n' : ''}resources: { checkpoint_interval_rows: ${o.checkpointRows ?? 5000}, batch_rows: 1000 }
`);
}

/** `rapidbyte run --json`; expects exit 0 and one succeeded stream, returns it. */
async function runOk(file: string): Promise<StreamJson> {
  return onlyStream(await runSucceeded(file));
}

async function stateShow(file: string, stream: string): Promise<{ text: string; view: StateView }> {
  const text = await runCli(['state', 'show', file, '--stream', stream]);
  expect(text.code, text.stderr).toBe(0);
  const json = await runCli(['state', 'show', file, '--stream', stream, '--json']);
  expect(json.code, json.stderr).toBe(0);
  const views = parseJson<StateView[]>(json);
  expect(views).toHaveLength(1);
  return { text: text.stdout, view: views[0] as StateView };
}

async function expectEqual(
  src: TestDatabase,
  srcTable: string,
  dst: TestDatabase,
  dstTable: string,
  rows: number,
): Promise<void> {
  await expectTablesEqual(src, srcTable, dst, dstTable, { rows });
}

/** Keys present more than once at the destination. */
/** A cursor type and how to make its values: `expr(g)` is monotonic in the SQL integer `g`. */
interface CursorCase {
  readonly type: string;
  readonly expr: (g: string) => string;
}

const CURSOR_CASES: readonly CursorCase[] = [
  { type: 'bigint', expr: (g) => `9007199254740993 + ${g}` },
  { type: 'integer', expr: (g) => `-1000 + ${g}` },
  {
    type: 'timestamptz',
    expr: (g) => `'2024-01-01 00:00:00.123456+00'::timestamptz + ${g} * interval '1 microsecond'`,
  },
  { type: 'timestamp', expr: (g) => `'1999-12-31 23:59:59.999990'::timestamp + ${g} * interval '1 microsecond'` },
  { type: 'date', expr: (g) => `'2024-01-01'::date + ${g}` },
  { type: 'numeric', expr: (g) => `12345678901234567890.123456 + ${g} * 0.000001` },
  { type: 'text', expr: (g) => `'k' || lpad((${g})::text, 8, '0')` },
];

describe('incremental sync', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);
  /** A fresh destination database (dropped in afterAll), with `ddl` run in it. */
  const freshDestination = (prefix: string, ddl?: string): Promise<TestDatabase> => databases.create(prefix, ddl);

  beforeAll(async () => {
    src = await databases.create('inc_src');
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it.each(WRITE_MODES)(
    '%s: a second run picks up new rows and a late tie with a smaller key, no duplicates, reads little',
    async (writeMode) => {
      const table = `public.events_${writeMode}`;
      // 20,000 rows, ids 1000..20999, ten rows per cursor value (ties everywhere, also across chunk ends)
      await cluster.psql(
        src.name,
        `
      CREATE TABLE ${table} (id bigint PRIMARY KEY, cur bigint NOT NULL, payload text NOT NULL);
      INSERT INTO ${table} SELECT g, 1000 + g / 10, md5(g::text) FROM generate_series(1000, 20999) g;`,
      );
      const dst = await freshDestination(`inc_main_${writeMode}`);
      const file = pipelineFile({ name: `inc_main_${writeMode}`, src, dst, table, writeMode, checkpointRows: 5000 });

      const first = await runOk(file);
      expect([first.rowsRead, first.rowsWritten]).toEqual([20000, 20000]);
      await expectEqual(src, table, dst, table, 20000);

      // 100 new rows with greater cursors, and a row with the already seen maximum cursor (3099)
      // whose key (5) is smaller than every key delivered: (cursor, pk) > (max, last pk) would lose it
      await cluster.psql(
        src.name,
        `
      INSERT INTO ${table} SELECT g, 1000 + g / 10, 'new ' || g FROM generate_series(21000, 21099) g;
      INSERT INTO ${table} VALUES (5, 3099, 'late tie, smaller key');`,
      );
      const second = await runOk(file);
      await expectEqual(src, table, dst, table, 20101);
      expect(await duplicateKeys(dst, table)).toEqual([]);
      expect((await cluster.query(dst.name, `SELECT payload FROM ${table} WHERE id = 5`)).rows).toEqual([
        { payload: 'late tie, smaller key' },
      ]);
      // only the rows at and after the boundary were read, not the table
      expect(second.rowsRead).toBeGreaterThanOrEqual(101);
      expect(second.rowsRead).toBeLessThan(200);
      if (writeMode === 'append')
        expect(second.rowsWritten).toBe(101); // exactly the new rows: nothing delivered twice
      else expect(second.rowsWritten).toBeLessThan(200);

      // a third run with no source change delivers nothing new
      const before = await cluster.tableDigest(dst.url, table, 'id');
      const third = await runOk(file);
      expect(third.rowsRead).toBeLessThan(200);
      if (writeMode === 'append') expect(third.rowsWritten).toBe(0);
      expect(await cluster.tableDigest(dst.url, table, 'id')).toEqual(before);
      await expectEqual(src, table, dst, table, 20101);
    },
  );

  describe.each(WRITE_MODES)('%s: cursor types keep their exact value', (writeMode) => {
    it.each(CURSOR_CASES)('$type', async ({ type, expr }) => {
      const table = `public.cur_${type}_${writeMode}`;
      // 300 rows (ids 10..309), three per cursor value; cursor values one unit apart (1, 1 µs, 1 day, 1e-6)
      await cluster.psql(
        src.name,
        `
        CREATE TABLE ${table} (id int PRIMARY KEY, cur ${type} NOT NULL, note text);
        INSERT INTO ${table} SELECT g, ${expr('g / 3')}, 'row ' || g FROM generate_series(10, 309) g;`,
      );
      const dst = await freshDestination(`inc_${type}_${writeMode}`);
      const name = `inc_${type}_${writeMode}`;
      const file = pipelineFile({ name, src, dst, table, writeMode, checkpointRows: 100 });

      const first = await runOk(file);
      expect(first.rowsWritten).toBe(300);
      await expectEqual(src, table, dst, table, 300);
      const max1 = String((await cluster.query(src.name, `SELECT max(cur)::text AS m FROM ${table}`)).rows[0].m);
      const shown1 = await stateShow(file, table);
      expect(shown1.view.cursorField).toBe('cur');
      expect(shown1.view.cursorValue).toBe(max1);

      // a late tie at the already seen maximum with the smallest key, then new rows (310, 311 tie too)
      await cluster.psql(
        src.name,
        `
        INSERT INTO ${table} SELECT 1, max(cur), 'late tie' FROM ${table};
        INSERT INTO ${table} SELECT g, ${expr('g / 3')}, 'new ' || g FROM generate_series(310, 329) g;`,
      );
      const second = await runOk(file);
      await expectEqual(src, table, dst, table, 321);
      expect(await duplicateKeys(dst, table)).toEqual([]);
      expect(second.rowsRead).toBeLessThan(40);
      if (writeMode === 'append') expect(second.rowsWritten).toBe(21);

      const max2 = String((await cluster.query(src.name, `SELECT max(cur)::text AS m FROM ${table}`)).rows[0].m);
      expect(max2).not.toBe(max1);
      const shown2 = await stateShow(file, table);
      expect(shown2.view.cursorValue).toBe(max2);
      expect(shown2.text).toContain(`cursor cur = ${max2}`);
    });
  });

  it('state show prints int8 beyond 2^53 and timestamptz µs exactly', async () => {
    const dst = await freshDestination('inc_show');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.show_int8 (id int PRIMARY KEY, cur bigint NOT NULL);
      INSERT INTO public.show_int8 VALUES (1, 9007199254740992), (2, 9007199254740993);
      CREATE TABLE public.show_ts (id int PRIMARY KEY, cur timestamptz NOT NULL);
      INSERT INTO public.show_ts VALUES (1, '2024-01-01 00:00:00.123455+00'), (2, '2024-01-01 02:00:00.123456+02');`,
    );
    for (const [table, expected] of [
      ['public.show_int8', '9007199254740993'],
      ['public.show_ts', '2024-01-01 00:00:00.123456+00'],
    ] as const) {
      const file = pipelineFile({ name: `inc_show_${table.slice(12)}`, src, dst, table, writeMode: 'upsert' });
      await runOk(file);
      const { text, view } = await stateShow(file, table);
      expect(view.cursorValue).toBe(expected);
      expect(text).toContain(`cursor cur = ${expected}`);
    }
  });

  it('upsert: an updated row (cursor bumped) is updated in place; a replayed run changes nothing', async () => {
    const table = 'public.accounts';
    await cluster.psql(
      src.name,
      `
      CREATE TABLE ${table} (id int PRIMARY KEY, balance numeric(12,2) NOT NULL, cur timestamptz NOT NULL);
      INSERT INTO ${table} SELECT g, g * 1.25, '2024-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, 5000) g;`,
    );
    const dst = await freshDestination('inc_update');
    const file = pipelineFile({ name: 'inc_update', src, dst, table, writeMode: 'upsert', checkpointRows: 1000 });
    await runOk(file);
    await expectEqual(src, table, dst, table, 5000);

    await cluster.psql(
      src.name,
      `
      UPDATE ${table} SET balance = -1, cur = (SELECT max(cur) FROM ${table}) + interval '1 microsecond' WHERE id = 10;
      UPDATE ${table} SET balance = -2, cur = (SELECT max(cur) FROM ${table}) + interval '1 second' WHERE id = 4999;`,
    );
    const second = await runOk(file);
    expect(second.rowsRead).toBeLessThan(10);
    await expectEqual(src, table, dst, table, 5000);
    expect(await duplicateKeys(dst, table)).toEqual([]);
    expect(
      (await cluster.query(dst.name, `SELECT id, balance::text FROM ${table} WHERE id IN (10, 4999) ORDER BY id`)).rows,
    ).toEqual([
      { id: 10, balance: '-1.00' },
      { id: 4999, balance: '-2.00' },
    ]);

    // replay: no source change, the destination does not change and little is written
    const before = await cluster.tableDigest(dst.url, table, 'id');
    const replay = await runOk(file);
    expect(replay.rowsWritten).toBeLessThan(10);
    expect(await cluster.tableDigest(dst.url, table, 'id')).toEqual(before);
    expect(await rowCount(dst, table)).toBe(5000);
  });

  it('upsert with lookback: a row committed late with an older cursor inside the window is picked up', async () => {
    const table = 'public.late_rows';
    // one row per minute; the last one at 2024-01-14 21:20 (id 20000)
    await cluster.psql(
      src.name,
      `
      CREATE TABLE ${table} (id int PRIMARY KEY, cur timestamptz NOT NULL, v text);
      INSERT INTO ${table} SELECT g, '2024-01-01'::timestamptz + g * interval '1 minute', 'v' || g FROM generate_series(1, 20000) g;`,
    );
    const dst = await freshDestination('inc_lookback');
    const file = pipelineFile({
      name: 'inc_lookback',
      src,
      dst,
      table,
      writeMode: 'upsert',
      stream: 'lookback: 5 minutes',
    });
    await runOk(file);
    await expectEqual(src, table, dst, table, 20000);

    await cluster.psql(
      src.name,
      `
      INSERT INTO ${table} SELECT 30001, max(cur) - interval '2 minutes 30 seconds', 'late, inside the window' FROM ${table};
      INSERT INTO ${table} SELECT 30002, max(cur) - interval '1 day', 'late, outside the window' FROM ${table} WHERE id <= 20000;`,
    );
    const second = await runOk(file);
    // the window is re-read, not the table
    expect(second.rowsRead).toBeGreaterThanOrEqual(2);
    expect(second.rowsRead).toBeLessThan(100);
    expect(await duplicateKeys(dst, table)).toEqual([]);
    const diff = await cluster.compareTables(src.url, table, dst.url, table);
    expect(diff.onlyInDestination).toEqual([]);
    // the row inside the window arrived; the one older than the window is (documented) not re-read
    expect(diff.onlyInSource.map((r) => [r.id, r.v])).toEqual([['30002', 'late, outside the window']]);
    expect((await cluster.query(dst.name, `SELECT v FROM ${table} WHERE id = 30001`)).rows).toEqual([
      { v: 'late, inside the window' },
    ]);
  });

  it('columns without the cursor field is a configuration error (exit 2)', async () => {
    const dst = await freshDestination('inc_cfg');
    await cluster.psql(src.name, `CREATE TABLE public.cfg_rows (id int PRIMARY KEY, cur int NOT NULL, v text);`);
    const file = pipelineFile({
      name: 'inc_cfg',
      src,
      dst,
      table: 'public.cfg_rows',
      writeMode: 'upsert',
      stream: 'columns: [id, v]',
    });
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain("columns must include the cursor_field 'cur'");
    const tables = await cluster.query(
      dst.name,
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'cfg_rows'`,
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it('state reset --stream: the next run re-reads the whole table and the destination stays equal (upsert)', async () => {
    const table = 'public.resettable';
    await cluster.psql(
      src.name,
      `
      CREATE TABLE ${table} (id int PRIMARY KEY, cur bigint NOT NULL, v text);
      INSERT INTO ${table} SELECT g, 9007199254740993 + g, 'v' || g FROM generate_series(1, 3000) g;
      CREATE TABLE public.untouched (id int PRIMARY KEY, cur bigint NOT NULL);
      INSERT INTO public.untouched SELECT g, g FROM generate_series(1, 10) g;`,
    );
    const dst = await freshDestination('inc_reset');
    const file = writePipeline(`version: "1.0"
pipeline: inc_reset
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${table}, sync_mode: incremental, cursor_field: cur }
    - { name: public.untouched, sync_mode: incremental, cursor_field: cur }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
  primary_key: [id]
resources: { checkpoint_interval_rows: 1000 }
`);
    const run = async (): Promise<StreamJson[]> => {
      const result = await runCli(['run', '--json', file]);
      expect(result.code, result.stderr).toBe(0);
      return parseJson<RunJson>(result).streams;
    };
    expect((await run()).map((s) => s.rowsRead)).toEqual([3000, 10]);
    expect((await stateShow(file, table)).view.cursorValue).toBe('9007199254743993');
    const again = await run();
    expect(again[0]?.rowsRead).toBeLessThan(10);

    const reset = await runCli(['state', 'reset', file, '--stream', table]);
    expect(reset.code, reset.stderr).toBe(0);
    const after = await stateShow(file, table);
    expect(after.view.resetPending).toBe(true);
    expect(after.view.cursorValue).toBeUndefined();
    expect((await stateShow(file, 'public.untouched')).view.cursorValue).toBe('10');

    const rerun = await run();
    expect(rerun[0]?.rowsRead).toBe(3000); // the reset stream starts from scratch
    expect(rerun[1]?.rowsRead).toBeLessThan(10); // the other keeps its cursor
    await expectEqual(src, table, dst, table, 3000);
    expect(await duplicateKeys(dst, table)).toEqual([]);
    const shown = await stateShow(file, table);
    expect(shown.view.resetPending).toBe(false);
    expect(shown.view.cursorValue).toBe('9007199254743993');
  });
});

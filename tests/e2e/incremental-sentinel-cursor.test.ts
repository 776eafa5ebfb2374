// An incremental cursor that reaches a value no later row can exceed — `infinity` of a date or
// timestamp, numeric `NaN` or `Infinity` — used to be stored as the cursor, silently: every later
// run read `cursor >= infinity` and rows added afterwards were never picked up. Now the stored
// cursor is the largest finite value; rows with a sentinel cursor are read on every run (upsert
// absorbs them; append skips the ones delivered before by primary key, and without a key appends
// them again — documented) with a warning naming the stream, the column and the value; a
// sentinel stored by an earlier version is read past (upsert) or refused (append) instead of
// stalling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectTablesEqual,
  onlyStream,
  parseJson,
  pgPipeline,
  runCli,
  testPg,
  writePipelineDoc,
  type RunJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

function pipeline(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  table: string;
  writeMode: 'upsert' | 'append';
}): string {
  return writePipelineDoc(
    pgPipeline({
      name: o.name,
      src: o.src,
      dst: o.dst,
      streams: [{ name: `public.${o.table}`, sync_mode: 'incremental', cursor_field: 'cur', on_null_cursor: 'skip' }],
      writeMode: o.writeMode,
      resources: { checkpoint_interval_rows: 4, batch_rows: 2 },
    }),
  );
}

async function run(file: string): Promise<{ stream: StreamJson; stderr: string }> {
  const result = await runCli(['run', '--json', file]);
  expect(result.code, cliOutput(result)).toBe(0);
  return { stream: onlyStream(parseJson(result)), stderr: result.stderr };
}

async function storedCursor(file: string): Promise<string | undefined> {
  const result = await runCli(['state', 'show', file, '--json']);
  expect(result.code, cliOutput(result)).toBe(0);
  return (JSON.parse(result.stdout) as { cursorValue?: string }[])[0]?.cursorValue;
}

async function expectEqual(src: TestDatabase, table: string, dst: TestDatabase): Promise<void> {
  await expectTablesEqual(src, `public.${table}`, dst, `public.${table}`);
}

/** The source application's INSERT/UPDATE/DELETE on its table still work after the runs. */
async function expectSourceWritable(src: TestDatabase, table: string, finite: string): Promise<void> {
  await cluster.psql(
    src.name,
    `
    INSERT INTO public.${table} (id, cur, name) VALUES (900, ${finite}, 'app');
    UPDATE public.${table} SET name = 'app updated' WHERE id = 900;
    DELETE FROM public.${table} WHERE id = 900;`,
  );
  expect(
    (await cluster.query(src.name, `SELECT count(*)::int AS n FROM public.${table} WHERE id = 900`)).rows[0].n,
  ).toBe(0);
}

/** A cursor type, its sentinels, and finite values `value(g)` increasing with the SQL integer g. */
interface SentinelCase {
  readonly type: string;
  readonly sentinels: readonly string[];
  readonly value: (g: string) => string;
  /** `value(i)` as Postgres prints it (what state show returns). */
  readonly text: (i: number) => string;
}

const CASES: readonly SentinelCase[] = [
  {
    type: 'timestamptz',
    sentinels: ['infinity'],
    value: (g) => `'2024-01-01 00:00:00+00'::timestamptz + ${g} * interval '1 second'`,
    text: (i) => `2024-01-01 00:00:${String(i).padStart(2, '0')}+00`,
  },
  {
    type: 'date',
    sentinels: ['infinity'],
    value: (g) => `'2024-01-01'::date + ${g}`,
    text: (i) => `2024-01-${String(1 + i).padStart(2, '0')}`,
  },
  { type: 'numeric', sentinels: ['NaN', 'Infinity'], value: (g) => `(${g} + 0.5)`, text: (i) => `${i}.5` },
];

describe('incremental cursor reaching infinity or NaN', () => {
  let src: TestDatabase;

  beforeAll(async () => {
    src = await scope.create('sentinel_src');
  });

  afterAll(async () => {
    await scope.dropAll();
  });

  it.each(CASES)(
    '$type, upsert: rows after a sentinel cursor are still picked up; the stored cursor stays finite; the run warns',
    async (c) => {
      const table = `sentinel_${c.type}`;
      await cluster.psql(
        src.name,
        `
      CREATE TABLE public.${table} (id int PRIMARY KEY, cur ${c.type}, name text NOT NULL);
      INSERT INTO public.${table} SELECT g, ${c.value('g')}, 'row ' || g FROM generate_series(1, 9) g;
      ${c.sentinels.map((s, i) => `INSERT INTO public.${table} VALUES (${100 + i}, '${s}', 'sentinel ${s}');`).join('\n')}
      INSERT INTO public.${table} VALUES (200, NULL, 'null cursor');`,
      );
      const dst = await scope.create(`sentinel_dst_${c.type}`);
      const file = pipeline({ name: `sentinel_${c.type}`, src, dst, table, writeMode: 'upsert' });

      const first = await run(file);
      expect(first.stream.rowsRead).toBe(9 + c.sentinels.length);
      const firstCursor = await storedCursor(file);

      // rows written after the sentinel, with later finite cursors (and an update of a sentinel row)
      await cluster.psql(
        src.name,
        `
      INSERT INTO public.${table} SELECT g, ${c.value('g')}, 'later ' || g FROM generate_series(10, 12) g;
      UPDATE public.${table} SET name = 'sentinel updated' WHERE id = 100;`,
      );
      const second = await run(file);
      await cluster.psql(src.name, `DELETE FROM public.${table} WHERE cur IS NULL`);
      await expectEqual(src, table, dst);
      // the row at the stored cursor (upsert re-reads it), the 3 new ones and the sentinel rows
      expect(second.stream.rowsRead).toBe(1 + 3 + c.sentinels.length);
      expect(firstCursor).toBe(c.text(9));
      expect(await storedCursor(file)).toBe(c.text(12));
      expect(first.stderr).toContain(`public.${table}: 1 row(s) with cur = `);
      for (const s of c.sentinels) expect(first.stderr).toContain(`1 row(s) with cur = ${s}`);
      expect(first.stderr).toContain(
        `so the stored cursor stays at the largest finite value (${c.text(9)}) and these rows are read again on every run`,
      );
      // the NULL cursor is left out as asked (on_null_cursor: skip), and said so
      expect(first.stderr).toContain(
        `public.${table}: 1 row(s) have a NULL cur; no stored cursor orders them, so an incremental read never reads them: left out (on_null_cursor: skip)`,
      );
      await expectSourceWritable(src, table, c.value('50'));
    },
  );

  it('append with a primary key: rows after the sentinel are picked up, sentinel rows are delivered once (skipped by key on later runs)', async () => {
    const table = 'sentinel_append';
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.${table} (id int PRIMARY KEY, cur timestamp, name text NOT NULL);
      INSERT INTO public.${table} SELECT g, '2024-01-01'::timestamp + g * interval '1 hour', 'row ' || g FROM generate_series(1, 9) g;
      INSERT INTO public.${table} VALUES (100, 'infinity', 'open-ended');`,
    );
    const dst = await scope.create('sentinel_dst_append');
    const file = pipeline({ name: 'sentinel_append', src, dst, table, writeMode: 'append' });
    const first = await run(file);
    expect(first.stream.rowsRead).toBe(10);
    await cluster.psql(
      src.name,
      `INSERT INTO public.${table} SELECT g, '2024-01-01'::timestamp + g * interval '1 hour', 'later ' || g FROM generate_series(10, 12) g`,
    );
    const second = await run(file);
    await expectEqual(src, table, dst);
    // a new sentinel row is delivered by the next run, the old one still not again
    await cluster.psql(src.name, `INSERT INTO public.${table} VALUES (101, 'infinity', 'open-ended 2')`);
    const third = await run(file);
    await expectEqual(src, table, dst);
    expect([second.stream.rowsRead, third.stream.rowsRead]).toEqual([3, 1]);
    expect(first.stderr).toContain('public.sentinel_append: 1 row(s) with cur = infinity');
    expect(second.stderr).toContain('the ones delivered before are skipped by primary key (0 new)');
    expect(await storedCursor(file)).toBe('2024-01-01 12:00:00');
    await expectSourceWritable(src, table, `'2025-01-01'`);
  });

  it('append without a primary key: nothing is lost; the sentinel rows are appended again each run (documented)', async () => {
    const table = 'sentinel_append_nokey';
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.${table} (id int NOT NULL, cur timestamp, name text NOT NULL);
      INSERT INTO public.${table} SELECT g, '2024-01-01'::timestamp + g * interval '1 hour', 'row ' || g FROM generate_series(1, 9) g;
      INSERT INTO public.${table} VALUES (100, 'infinity', 'open-ended');`,
    );
    const dst = await scope.create('sentinel_dst_append_nokey');
    const file = pipeline({ name: 'sentinel_append_nokey', src, dst, table, writeMode: 'append' });
    const first = await run(file);
    expect(first.stream.rowsRead).toBe(10);
    await cluster.psql(
      src.name,
      `INSERT INTO public.${table} SELECT g, '2024-01-01'::timestamp + g * interval '1 hour', 'later ' || g FROM generate_series(10, 12) g`,
    );
    const second = await run(file);
    const diff = await cluster.compareTables(src.url, `public.${table}`, dst.url, `public.${table}`);
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([{ id: '100', cur: 'infinity', name: 'open-ended' }]);
    expect(second.stream.rowsRead).toBe(3 + 1);
    expect(first.stderr).toContain('read and appended again on every run');
    await expectSourceWritable(src, table, `'2025-01-01'`);
  });

  it('a sentinel cursor stored by an earlier version: upsert reads from the start with a warning, append is refused naming the fix', async () => {
    const table = 'sentinel_stored';
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.${table} (id int PRIMARY KEY, cur timestamptz, name text NOT NULL);
      INSERT INTO public.${table} SELECT g, '2024-01-01'::timestamptz + g * interval '1 day', 'row ' || g FROM generate_series(1, 5) g;`,
    );
    for (const writeMode of ['upsert', 'append'] as const) {
      const dst = await scope.create(`sentinel_stored_${writeMode}`);
      const file = pipeline({ name: `sentinel_stored_${writeMode}`, src, dst, table, writeMode });
      await run(file);
      // what an earlier version stored after reading a row with cur = infinity
      await cluster.query(
        dst.name,
        `UPDATE public._rb_watermarks SET payload = jsonb_set(payload, '{cursorValue}', '"infinity"')`,
      );
      await cluster.psql(
        src.name,
        `INSERT INTO public.${table} VALUES (${writeMode === 'upsert' ? 6 : 7}, now(), 'later')`,
      );
      const result = await runCli(['run', '--json', file]);
      if (writeMode === 'upsert') {
        expect(result.code, cliOutput(result)).toBe(0);
        expect(result.stderr).toContain('the stored cursor cur = infinity');
        expect((JSON.parse(result.stdout) as RunJson).streams[0]?.rowsRead).toBe(6);
        await expectEqual(src, table, dst);
      } else {
        expect(result.code, cliOutput(result)).toBe(1);
        expect(result.stdout).toContain('CURSOR_SENTINEL_STORED');
        expect(result.stdout).toContain('rapidbyte state reset');
      }
    }
  });
});

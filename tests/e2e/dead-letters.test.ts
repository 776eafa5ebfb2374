// Rows the destination rejects (dest-postgres row isolation), end to end through the built CLI:
// 1,000 source rows of which 7 violate a CHECK constraint of the pre-created destination table,
// under on_data_error fail / skip / dlq (append and upsert), a kill between the dead-letter write
// and the checkpoint record, a zero-row stream and a frame whose every row is bad. The
// destination is compared with the good rows (EXCEPT ALL both ways); dead letters are read back
// through `dlq list --json` and from `dlq.table`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type DeadLetterJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const ROWS = 1000;
/** The ids whose `amount` is negative: the destination's CHECK (amount >= 0) rejects them. */
const BAD = [13, 140, 141, 500, 777, 901, 1000] as const;
const DLQ_TABLE = 'rb_dead_letters';

const SOURCE = `
  CREATE TABLE public.items (id int PRIMARY KEY, amount int NOT NULL, note text);
  INSERT INTO public.items SELECT i, CASE WHEN i IN (${BAD.join(', ')}) THEN -i ELSE i END, 'n' || i FROM generate_series(1, ${ROWS}) i;
  CREATE TABLE public.good_items AS SELECT * FROM public.items WHERE amount >= 0;
  CREATE TABLE public.empty_items (id int PRIMARY KEY, amount int NOT NULL, note text);
  -- rows 101..200 (one whole frame at batch_rows 100) are all bad
  CREATE TABLE public.frame_items AS SELECT i AS id, CASE WHEN i BETWEEN 101 AND 200 THEN -1 ELSE i END AS amount, 'n' || i AS note FROM generate_series(1, 300) i;
  ALTER TABLE public.frame_items ADD PRIMARY KEY (id);
  CREATE TABLE public.good_frame_items AS SELECT * FROM public.frame_items WHERE amount >= 0;`;

/** The destination table, created before the run: the CHECK is what rejects rows. */
const destinationDdl = (table: string): string =>
  `CREATE TABLE public.${table} (id int PRIMARY KEY, amount int NOT NULL CONSTRAINT ${table}_amount_check CHECK (amount >= 0), note text);`;

function pipelineYaml(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  table: string;
  policy: string;
  writeMode?: string;
  dlqTable?: boolean;
}): string {
  return `version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
    - { name: public.${o.table}, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: ${o.writeMode ?? 'append'}
${o.writeMode === 'upsert' ? '  primary_key: [id]\n' : ''}  on_data_error: ${o.policy}
${o.dlqTable ? `  dlq: { table: ${DLQ_TABLE} }\n` : ''}resources: { checkpoint_interval_rows: 250, batch_rows: 100 }
`;
}

function summaryOf(result: CliResult): StreamJson {
  return parseJson(result).streams[0] as StreamJson;
}

describe('dead letters: rows the destination rejects', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  async function setUp(
    name: string,
    table = 'items',
  ): Promise<{ dst: TestDatabase; file: (policy: string, o?: { writeMode?: string; dlqTable?: boolean }) => string }> {
    const dst = await databases.create(name, destinationDdl(table));
    return { dst, file: (policy, o = {}) => writePipeline(pipelineYaml({ name, src, dst, table, policy, ...o })) };
  }

  /** The destination table equals `expected` of the source (EXCEPT ALL both ways). */
  async function expectDestination(dst: TestDatabase, table: string, expected: string, rows: number): Promise<void> {
    const diff = await cluster.compareTables(src.url, `public.${expected}`, dst.url, `public.${table}`);
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff.destinationRows).toBe(rows);
  }

  async function deadLetters(file: string): Promise<DeadLetterJson[]> {
    const listed = await runCli(['dlq', 'list', file, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    return JSON.parse(listed.stdout) as DeadLetterJson[];
  }

  async function dlqTableRows(dst: TestDatabase): Promise<{ id: number; error: string; category: string }[]> {
    const r = await cluster.query(
      dst.name,
      `SELECT (record->>'id')::int AS id, error, category FROM public.${DLQ_TABLE} ORDER BY 1`,
    );
    return r.rows as { id: number; error: string; category: string }[];
  }

  function expectBadLetters(letters: readonly DeadLetterJson[]): void {
    expect(letters.map((l) => Number(l.record.id)).sort((a, b) => a - b)).toEqual([...BAD]);
    for (const l of letters) {
      expect(l).toMatchObject({ stream: 'public.items', category: 'destination:23514' });
      expect(l.error).toContain('items_amount_check');
      expect(l.record).toEqual({ id: l.record.id, amount: -Number(l.record.id), note: `n${String(l.record.id)}` });
    }
  }

  beforeAll(async () => {
    src = await databases.create('dl_src', SOURCE);
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('fail: exits with a data error naming the stream, the column, the SQLSTATE and the first bad row', async () => {
    const { file } = await setUp('dl_fail');
    const result = await runCli(['run', '--json', file('fail')]);
    expect(result.code, result.stderr).toBe(4);
    const s = summaryOf(result);
    expect(s.status).toBe('failed');
    expect(s.error).toMatchObject({ code: 'ROW_REJECTED', column: 'amount' });
    expect(s.error?.message).toContain('public.items');
    expect(s.error?.message).toContain('id=13');
    expect(s.error?.message).toContain('23514');
  });

  it('skip: writes the 993 good rows and reports 7 skipped', async () => {
    const { dst, file } = await setUp('dl_skip');
    const pipeline = file('skip');
    const result = await runCli(['run', '--json', pipeline]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    // the first attempt stops at the rejected row (nothing of that interval commits), the second isolates it
    expect(summaryOf(result)).toMatchObject({ status: 'succeeded', attempts: 2, rowsSkipped: 7, rowsDeadLettered: 0 });
    expect(summaryOf(result).rowsRead).toBeGreaterThanOrEqual(ROWS); // what every attempt read
    await expectDestination(dst, 'items', 'good_items', ROWS - BAD.length);
    expect(await deadLetters(pipeline)).toEqual([]);
  });

  it.each(['append', 'upsert'])(
    'dlq (%s): writes the 993 good rows and 7 dead letters with the reason, to the state DB and dlq.table',
    async (writeMode) => {
      const { dst, file } = await setUp(`dl_dlq_${writeMode}`);
      const pipeline = file('dlq', { writeMode, dlqTable: true });
      const result = await runCli(['run', '--json', pipeline]);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(summaryOf(result)).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        rowsSkipped: 0,
        rowsDeadLettered: 7,
      });
      expect(summaryOf(result).rowsRead).toBeGreaterThanOrEqual(ROWS);
      await expectDestination(dst, 'items', 'good_items', ROWS - BAD.length);
      expectBadLetters(await deadLetters(pipeline));
      const table = await dlqTableRows(dst);
      expect(table.map((r) => r.id)).toEqual([...BAD]);
      expect(table.every((r) => r.category === 'destination:23514' && r.error.includes('items_amount_check'))).toBe(
        true,
      );
    },
  );

  it('kill between the dead-letter write and the checkpoint record, rerun: still 993 + 7, no duplicates', async () => {
    const { dst, file } = await setUp('dl_kill');
    const pipeline = file('dlq', { dlqTable: true });
    const faulted = await runCli(['run', '--json', pipeline], {
      env: { RAPIDBYTE_TEST_FAULT: 'exit-after-dead-letters:1' },
    });
    expect(faulted.code, `${faulted.stdout}\n${faulted.stderr}`).toBe(86);
    const before = await deadLetters(pipeline);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(BAD.length);
    // the dead letters reached the state DB before the COMMIT of the interval that rejected them:
    // the kill left that interval (rows 1-250: ids 13, 140, 141) uncommitted at the destination
    expect(before.map((l) => Number(l.record.id)).sort((a, b) => a - b)).toEqual([13, 140, 141]);
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM public.items')).rows[0]).toEqual({ n: 0 });
    expect(await dlqTableRows(dst)).toEqual([]);

    const rerun = await runCli(['run', '--json', pipeline]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    await expectDestination(dst, 'items', 'good_items', ROWS - BAD.length);
    expectBadLetters(await deadLetters(pipeline));
    expect((await dlqTableRows(dst)).map((r) => r.id)).toEqual([...BAD]);
  });

  it('a zero-row stream loads nothing and rejects nothing', async () => {
    const { dst, file } = await setUp('dl_empty', 'empty_items');
    const pipeline = file('dlq', { dlqTable: true });
    const result = await runCli(['run', '--json', pipeline]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(summaryOf(result)).toMatchObject({ status: 'succeeded', rowsRead: 0, rowsDeadLettered: 0 });
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM public.empty_items')).rows[0]).toEqual({
      n: 0,
    });
    expect(await deadLetters(pipeline)).toEqual([]);
  });

  it('a frame whose every row is bad: the other frames load, the 100 rows are skipped', async () => {
    const { dst, file } = await setUp('dl_frame', 'frame_items');
    const result = await runCli(['run', '--json', file('skip')]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(summaryOf(result)).toMatchObject({ status: 'succeeded', attempts: 2, rowsSkipped: 100 });
    expect(summaryOf(result).rowsRead).toBeGreaterThanOrEqual(300);
    await expectDestination(dst, 'frame_items', 'good_frame_items', 200);
  });
});

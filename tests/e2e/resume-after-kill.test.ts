// Exact resume (see docs/architecture.md#resume-after-a-crash): the engine is killed with SIGKILL (or exits through the
// test-only fault switch between the destination commit and the state DB write) in the middle of a
// run; the rerun ends with the destination equal to the source, no duplicate keys, and reads only
// what was not committed. A replace starts over cleanly; a dead run's pipeline lock does not block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG_COLUMNS_DDL,
  databaseScope,
  duplicateKeys,
  expectTablesEqual,
  pacedTableDdl,
  parseJson,
  pgPipeline,
  rowCount,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type CliResult,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';

const COLUMNS_DDL = BIG_COLUMNS_DDL;

/**
 * The destination table, created before the run so that it carries a CHECK constraint that sleeps
 * 0.1 s every 5,000 ids: every chunk of 20,000 rows takes ≥ 0.4 s to commit, so "after the first
 * commit and before the end" is a window of seconds, not a race. (`replace` copies the constraint
 * to its staging table with LIKE … INCLUDING ALL.) `withKey` adds the primary key (upsert needs it;
 * append goes without, so a duplicate would be stored and seen).
 */
function destinationDdl(withKey: boolean): string {
  return pacedTableDdl(TABLE, COLUMNS_DDL, withKey ? ', PRIMARY KEY (id)' : '');
}

function pipelineFile(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  syncMode: string;
  writeMode: string;
}): string {
  return writePipelineDoc(
    pgPipeline({
      name: o.name,
      src: o.src,
      dst: o.dst,
      streams: [
        { name: TABLE, sync_mode: o.syncMode, ...(o.syncMode === 'incremental' ? { cursor_field: 'cur' } : {}) },
      ],
      writeMode: o.writeMode,
      destination: o.writeMode === 'upsert' ? { primary_key: ['id'] } : {},
      resources: { checkpoint_interval_rows: CHUNK, batch_rows: 5000 },
    }),
  );
}

function summaryOf(result: CliResult): StreamJson {
  const json = parseJson(result);
  expect(json.status).toBe('succeeded');
  return json.streams[0] as StreamJson;
}

async function count(db: TestDatabase, table = TABLE): Promise<number> {
  return rowCount(db, table);
}

/** Backends the pipeline's connectors hold in `db` (application_name `rapidbyte/<pipeline>`). */
async function backends(db: TestDatabase, pipeline: string, extra = ''): Promise<number[]> {
  const r = await cluster.query(
    'postgres',
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND backend_type = 'client backend' ${extra}`,
    [db.name, `rapidbyte/${pipeline}`],
  );
  return r.rows.map((row: { pid: number }) => row.pid);
}

/** Waits until Postgres has noticed the dead client: its backends are gone, so what is committed is final. */
async function waitBackendsGone(dbs: TestDatabase[], pipeline: string): Promise<void> {
  for (const db of dbs) {
    await waitFor(
      `the backends of ${pipeline} in ${db.name} to end`,
      async () => ((await backends(db, pipeline)).length === 0 ? true : undefined),
      { timeoutMs: 30_000 },
    );
  }
}

async function expectEqual(src: TestDatabase, dst: TestDatabase): Promise<void> {
  await expectTablesEqual(src, TABLE, dst, TABLE, { rows: ROWS });
  expect(await duplicateKeys(dst, TABLE)).toEqual([]);
}

async function stagingTables(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT relname FROM pg_class WHERE relname LIKE '%\\_\\_rb\\_stage%' OR relname LIKE '\\_rb\\_stage%'`,
  );
  return r.rows.map((row: { relname: string }) => row.relname);
}

const RESUMABLE = [
  { syncMode: 'full_refresh', writeMode: 'append' },
  { syncMode: 'full_refresh', writeMode: 'upsert' },
  { syncMode: 'incremental', writeMode: 'append' },
  { syncMode: 'incremental', writeMode: 'upsert' },
] as const;

describe('resume after kill -9', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);
  /** A fresh destination database (dropped in afterAll), with `ddl` run in it. */
  const freshDestination = (prefix: string, ddl?: string): Promise<TestDatabase> => databases.create(prefix, ddl);

  beforeAll(async () => {
    src = await databases.create('kill_src');
    // stored in a shuffled order, so reading in key order is the source's doing; three rows per cursor value
    await cluster.psql(src.name, shuffledBigTableSql(TABLE, ROWS));
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it.each(RESUMABLE)(
    '$syncMode $writeMode: killed after a committed chunk, the rerun reads the rest and ends equal',
    async ({ syncMode, writeMode }) => {
      const name = `kill_${syncMode}_${writeMode}`;
      const dst = await freshDestination(name, destinationDdl(writeMode === 'upsert'));
      const file = pipelineFile({ name, src, dst, syncMode, writeMode });

      const cli = spawnCli(['run', '--json', file]);
      const seen = await waitFor(
        'a committed chunk at the destination',
        async () => {
          const n = await count(dst);
          return n >= CHUNK ? n : undefined;
        },
        { cli },
      );
      expect(seen).toBeLessThan(ROWS);
      const killed = await cli.kill9();
      expect(killed.signal).toBe('SIGKILL');
      await waitBackendsGone([src, dst], name);

      const committed = await count(dst);
      expect(committed).toBeGreaterThanOrEqual(seen);
      expect(committed).toBeLessThan(ROWS); // really killed mid-run
      if (syncMode === 'full_refresh') expect(committed % CHUNK).toBe(0); // commits happen at chunk ends only
      expect(await duplicateKeys(dst, TABLE)).toEqual([]);

      const rerun = await runCli(['run', '--json', file]);
      expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(rerun.stderr).not.toMatch(/already running/);
      const summary = summaryOf(rerun);
      // the rerun starts after the last committed chunk (upsert may re-read the rows of its boundary cursor value)
      expect(summary.rowsRead).toBeLessThan(ROWS);
      expect(summary.rowsRead).toBeGreaterThanOrEqual(ROWS - committed);
      expect(summary.rowsRead).toBeLessThanOrEqual(ROWS - committed + (writeMode === 'upsert' ? 3 : 0));
      if (writeMode === 'append') expect(summary.rowsWritten).toBe(ROWS - committed);
      await expectEqual(src, dst);
    },
  );

  it('SIGINT mid-run: exits 130 within 10 s, keeps exactly its committed chunks, the rerun completes to equality', async () => {
    const name = 'sigint_full_refresh_append';
    const dst = await freshDestination(name, destinationDdl(false));
    const file = pipelineFile({ name, src, dst, syncMode: 'full_refresh', writeMode: 'append' });

    const cli = spawnCli(['run', '--json', file]);
    await waitFor(
      'a committed chunk at the destination',
      async () => ((await count(dst)) >= CHUNK ? true : undefined),
      { cli },
    );
    const sent = Date.now();
    process.kill(cli.pid, 'SIGINT');
    const interrupted = await cli.exited;
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(interrupted.code, `${interrupted.stdout}\n${interrupted.stderr}`).toBe(130);
    expect(interrupted.stderr).toMatch(/interrupted/);
    const summary = JSON.parse(interrupted.stdout) as { status: string; streams: StreamJson[] };
    expect(summary.status).toBe('cancelled');
    expect(summary.streams[0]?.status).toBe('cancelled');
    await waitBackendsGone([src, dst], name);

    const committed = await count(dst);
    expect(committed).toBeLessThan(ROWS);
    expect(committed % CHUNK).toBe(0); // the open chunk was rolled back, committed ones stay
    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(summaryOf(rerun).rowsRead).toBe(ROWS - committed);
    await expectEqual(src, dst);
  });

  it('replace killed mid-load: the target is untouched, the rerun starts over, ends equal, no staging table left', async () => {
    const name = 'kill_replace';
    const dst = await freshDestination(
      name,
      `${destinationDdl(false)}
      INSERT INTO ${TABLE} VALUES (1, 0, 'old', 0, '2000-01-01'), (2, 0, 'old', 0, '2000-01-01');`,
    );
    const file = pipelineFile({ name, src, dst, syncMode: 'full_refresh', writeMode: 'replace' });

    const cli = spawnCli(['run', '--json', file]);
    await waitFor(
      'the staging COPY to be under way',
      async () =>
        (await backends(dst, name, `AND state = 'active' AND query ILIKE 'COPY%'`)).length > 0 ? true : undefined,
      { cli },
    );
    await new Promise((r) => setTimeout(r, 1000)); // well into the load (it takes ≥ 4 s)
    expect(cli.result()).toBeUndefined();
    await cli.kill9();
    await waitBackendsGone([src, dst], name);
    // the swap never happened: the old rows are still there
    expect(await count(dst)).toBe(2);
    // the worst case of a crash: a staging table committed but never swapped in, with junk in it
    await cluster.psql(
      dst.name,
      `
      CREATE TABLE IF NOT EXISTS public.big__rb_stage (LIKE ${TABLE} INCLUDING ALL);
      INSERT INTO public.big__rb_stage VALUES (999999999, 0, 'junk', 0, '2000-01-01');`,
    );

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    const summary = summaryOf(rerun);
    expect([summary.rowsRead, summary.rowsWritten]).toEqual([ROWS, ROWS]);
    await expectEqual(src, dst);
    expect(await stagingTables(dst)).toEqual([]);
  });

  it('fault between the destination commit and the state DB write (append): exit 86, the rerun neither loses nor duplicates', async () => {
    const name = 'kill_fault';
    const dst = await freshDestination(name, destinationDdl(false));
    const file = pipelineFile({ name, src, dst, syncMode: 'full_refresh', writeMode: 'append' });

    const faulted = await runCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_FAULT: 'exit-after-commit:2' } });
    expect(faulted.code, `${faulted.stdout}\n${faulted.stderr}`).toBe(86);
    await waitBackendsGone([src, dst], name);
    const committed = await count(dst);
    expect(committed).toBeGreaterThanOrEqual(2 * CHUNK);
    expect(committed).toBeLessThan(ROWS);

    // the state DB lags behind the destination: it recorded at most the first commit
    const shown = await runCli(['state', 'show', file, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const [view] = JSON.parse(shown.stdout) as { checkpoint?: { rows?: number; pkAfter?: string[] } }[];
    const watermark = (
      await cluster.query(dst.name, `SELECT payload FROM public._rb_watermarks WHERE pipeline = $1 AND stream = $2`, [
        name,
        TABLE,
      ])
    ).rows;
    expect(watermark).toHaveLength(1);
    const payload = watermark[0].payload as { pkAfter?: string[]; complete?: boolean };
    expect(payload.complete).not.toBe(true);
    expect(view?.checkpoint).not.toEqual(payload);
    if (view?.checkpoint?.pkAfter && payload.pkAfter)
      expect(Number(view.checkpoint.pkAfter[0])).toBeLessThan(Number(payload.pkAfter[0]));

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    const summary = summaryOf(rerun);
    expect([summary.rowsRead, summary.rowsWritten]).toEqual([ROWS - committed, ROWS - committed]);
    await expectEqual(src, dst);
  });

  it('a run killed -9 right after it started does not block the next run with its pipeline lock', async () => {
    const name = 'kill_lock';
    const dst = await freshDestination(name, destinationDdl(true));
    const file = pipelineFile({ name, src, dst, syncMode: 'full_refresh', writeMode: 'upsert' });

    const cli = spawnCli(['run', '--json', file]);
    // the lock is taken before the connectors connect
    await waitFor(
      'the first connection of the run',
      async () => ((await backends(src, name)).length + (await backends(dst, name)).length > 0 ? true : undefined),
      { cli, intervalMs: 10 },
    );
    const killed = await cli.kill9();
    expect(killed.signal).toBe('SIGKILL');

    const started = Date.now();
    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stderr).not.toMatch(/already running|locked by/);
    expect(Date.now() - started).toBeLessThan(120_000);
    summaryOf(rerun);
    await expectEqual(src, dst);
  });
});

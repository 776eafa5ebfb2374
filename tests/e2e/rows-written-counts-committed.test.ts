// "rows written" is what the destination committed: a stream retried after its destination backend
// was terminated, a stream that fails on a rejected row after some checkpoints committed, a stream
// interrupted mid-chunk and a sharded stream with a failing shard all report, in the summary, in
// `--json` and in the run history, exactly the rows the destination table holds. Rows that attempts
// sent and that were rolled back are reported apart (`rowsRolledBack`), never as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  onlyStream,
  parseJson,
  pgEndpoint,
  rowCount,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type RunsJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const COLUMNS = 'id bigint NOT NULL, label text NOT NULL';

/** A destination table whose CHECK sleeps 50 ms every 500 ids (a chunk of 2,000 takes ≥ 0.2 s) and rejects `badId`. */
function slowTableDdl(badId?: number): string {
  return `
    CREATE FUNCTION public.rb_test_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF id % 500 = 0 THEN PERFORM pg_sleep(0.05); END IF;
      RETURN true;
    END $$;
    CREATE TABLE public.items (${COLUMNS}, CONSTRAINT paced CHECK (public.rb_test_pace(id))${badId === undefined ? '' : `, CONSTRAINT no_bad CHECK (id <> ${badId})`});`;
}

function pipelineFile(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  chunk: number;
  stream?: string;
  onDataError?: string;
  writeMode?: string;
  maxRetries?: number;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
    - { name: public.items, sync_mode: full_refresh${o.stream ?? ''} }
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: ${o.writeMode ?? 'append'}
  on_data_error: ${o.onDataError ?? 'fail'}
resources: { parallelism: 2, checkpoint_interval_rows: ${o.chunk}, batch_rows: 500, max_retries: ${o.maxRetries ?? 3} }
`);
}

function streamOf(result: CliResult): StreamJson & { runId: number } {
  const json = parseJson(result);
  return { ...onlyStream(json), runId: json.runId };
}

async function count(db: TestDatabase): Promise<number> {
  return rowCount(db, 'public.items');
}

/** The run history's counts of the run's one stream. */
async function historyCounts(
  file: string,
  runId: number,
): Promise<{ rowsRead: number; rowsWritten: number; rowsRolledBack?: number } | undefined> {
  const result = await runCli(['runs', '--pipeline', file, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return parseJson<RunsJson[]>(result).find((r) => r.runId === runId)?.streams[0]?.counts;
}

/** The pid of the destination backend while it runs a COPY (rows of an open interval are in flight). */
async function copyingBackend(dst: TestDatabase, pipeline: string): Promise<number | undefined> {
  const r = await cluster.query(
    'postgres',
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND state = 'active' AND query ILIKE 'COPY%'`,
    [dst.name, `rapidbyte/${pipeline}`],
  );
  return r.rows.length > 0 ? (r.rows[0].pid as number) : undefined;
}

describe('rows written counts committed rows only', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);
  const ROWS = 10_000;

  beforeAll(async () => {
    src = await databases.create('rwc_src');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.items (${COLUMNS}, PRIMARY KEY (id));
      INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, ${ROWS}) g;
      ANALYZE public.items;`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('a stream retried after its destination backend was terminated mid-chunk reports each committed row once, and the rolled-back rows apart', async () => {
    const name = 'rwc_retried';
    const dst = await databases.create(name, slowTableDdl());
    const file = pipelineFile({ name, src, dst, chunk: 2_000 });
    const cli = spawnCli(['run', '--json', file]);
    const pid = await waitFor(
      'a committed chunk and a COPY in flight at the destination',
      async () => ((await count(dst)) >= 2_000 ? copyingBackend(dst, name) : undefined),
      { cli },
    );
    expect((await cluster.query('postgres', 'SELECT pg_terminate_backend($1) AS ok', [pid])).rows[0].ok).toBe(true);

    const result = await cli.exited;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const s = streamOf(result);
    expect(s.status).toBe('succeeded');
    expect(s.attempts).toBeGreaterThanOrEqual(2);
    const diff = await cluster.compareTables(src.url, 'public.items', dst.url, 'public.items');
    expect([diff.onlyInSourceCount, diff.onlyInDestinationCount, diff.destinationRows]).toEqual([0, 0, ROWS]);
    expect(s.rowsWritten).toBe(ROWS);
    expect(s.rowsRolledBack).toBeGreaterThan(0);
    expect(s.rowsRead).toBeGreaterThanOrEqual(ROWS); // every attempt's reads
    expect(await historyCounts(file, s.runId)).toMatchObject({ rowsWritten: ROWS, rowsRolledBack: s.rowsRolledBack });
    const runs = await runCli(['runs', '--pipeline', file]);
    expect(runs.stdout).toMatch(
      new RegExp(
        `^\\s+public\\.items\\s+succeeded\\s+read ${s.rowsRead}\\s+written ${ROWS}\\s+.*attempts ${s.attempts}\\s+rolled back ${s.rowsRolledBack}$`,
        'm',
      ),
    );

    // a clean run has no rolled-back column
    const text = await runCli(['run', file, '--full-refresh']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[1]).not.toMatch(/rolled back/); // a clean run has no such column
  });

  it('a stream that fails on a rejected row after some checkpoints committed reports only the committed rows as written', async () => {
    const name = 'rwc_failed';
    // chunks of 1,000: ids 1..6,000 commit in six chunks, the seventh holds the rejected id 6,500
    const dst = await databases.create(name, slowTableDdl(6_500));
    const file = pipelineFile({ name, src, dst, chunk: 1_000 });
    const result = await runCli(['run', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(4);
    const s = streamOf(result);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('ROW_REJECTED');
    const committed = await count(dst);
    expect(committed).toBe(6_000);
    expect(s.rowsWritten).toBe(committed);
    expect(s.rowsRolledBack).toBeGreaterThan(0);
    expect(await historyCounts(file, s.runId)).toMatchObject({
      rowsWritten: committed,
      rowsRolledBack: s.rowsRolledBack,
    });

    const text = await runCli(['run', file]);
    expect(text.code).toBe(4);
    const lines = text.stdout.split('\n');
    const header = (lines[1] ?? '').split(/\s{2,}/);
    const row = (lines[2] ?? '').split(/\s{2,}/);
    expect(row[header.indexOf('rows written')]).toBe('0'); // the second run resumes after the 6,000 and commits nothing
    expect(Number(row[header.indexOf('rolled back')]?.replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('a stream interrupted mid-chunk (stopped at once) reports the committed rows as written', async () => {
    const name = 'rwc_cancelled';
    const dst = await databases.create(name, slowTableDdl());
    const file = pipelineFile({ name, src, dst, chunk: 2_000 });
    const cli = spawnCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_DRAIN_GRACE_MS: '0' } });
    await waitFor(
      'a committed chunk and a COPY in flight at the destination',
      async () => ((await count(dst)) >= 2_000 ? copyingBackend(dst, name) : undefined),
      { cli },
    );
    process.kill(cli.pid, 'SIGINT');
    const result = await cli.exited;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(130);
    const s = streamOf(result);
    expect(s.status).toBe('cancelled');
    const committed = await count(dst);
    expect(committed % 2_000).toBe(0);
    expect(committed).toBeLessThan(ROWS);
    expect(s.rowsWritten).toBe(committed);
    expect(s.rowsRolledBack).toBeGreaterThan(0); // the chunk in flight rolled back
    expect(await historyCounts(file, s.runId)).toMatchObject({ rowsWritten: committed });
  });

  it('a sharded stream whose one shard fails reports the rows its shards committed', async () => {
    const name = 'rwc_sharded';
    const dst = await databases.create(name, slowTableDdl(9_500));
    const file = pipelineFile({ name, src, dst, chunk: 1_000, stream: ', shards: 2' });
    const result = await runCli(['run', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    const s = streamOf(result);
    expect(s.shards).toBe(2);
    expect(s.status).toBe('failed');
    const committed = await count(dst);
    expect(committed).toBeGreaterThan(0);
    expect(s.rowsWritten).toBe(committed);
    expect(s.rowsRolledBack).toBeGreaterThan(0);
    expect(await historyCounts(file, s.runId)).toMatchObject({ rowsWritten: committed });
  });
});

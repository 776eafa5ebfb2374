// Retries and run history (see docs/architecture.md#errors-and-retries): a destination backend terminated mid-run
// (pg_terminate_backend, SQLSTATE 57P01) is retried from the last committed checkpoint and the run
// succeeds with every attempt recorded; a permanent error fails on the first attempt;
// `rapidbyte runs` lists runs with per-stream counts, attempts and transitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgPipeline,
  rowCount,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type RunJson,
  type RunsJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;

const BIG_COLUMNS = 'id bigint NOT NULL, hash text NOT NULL, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL';

function pipelineFile(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  streams: string[],
  writeMode = 'append',
): string {
  return writePipelineDoc(
    pgPipeline({
      name,
      src,
      dst,
      streams: streams.map((s) => ({ name: s, sync_mode: 'full_refresh' })),
      writeMode,
      resources: { checkpoint_interval_rows: CHUNK, batch_rows: 5000, max_retries: 3 },
    }),
  );
}

async function runsJson(file: string): Promise<RunsJson[]> {
  const result = await runCli(['runs', '--pipeline', file, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return parseJson<RunsJson[]>(result);
}

/** `from → to` of one stream's transitions, in order. */
function path(run: RunsJson, stream: string): (string | null)[][] {
  return run.transitions.filter((t) => t.stream === stream).map((t) => [t.from, t.to]);
}

describe('retries and run history', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);
  /** A fresh destination database (dropped in afterAll), with `ddl` run in it. */
  const freshDestination = (prefix: string, ddl?: string): Promise<TestDatabase> => databases.create(prefix, ddl);

  beforeAll(async () => {
    src = await databases.create('retry_src');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public.big (${BIG_COLUMNS}, PRIMARY KEY (id));
      INSERT INTO public.big SELECT g, md5(g::text), g * 1.5, '2024-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, ${ROWS}) g;
      CREATE TABLE public.small (id bigint PRIMARY KEY, label text NOT NULL);
      INSERT INTO public.small SELECT g, 'label ' || g FROM generate_series(1, 100) g;
      CREATE TABLE public.tiny (id int PRIMARY KEY, v int);
      INSERT INTO public.tiny SELECT g, g * g FROM generate_series(1, 7) g;
      ANALYZE;`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('the destination backend terminated mid-run: retried from the last checkpoint, succeeds, attempts recorded, equal', async () => {
    const name = 'retry_terminate';
    // The destination table exists beforehand with a CHECK that sleeps 0.1 s every 5,000 ids, so a
    // chunk takes ≥ 0.4 s to commit and the backend is provably busy when we terminate it. No key:
    // a row delivered twice would be stored twice and seen.
    const dst = await freshDestination(
      name,
      `
      CREATE FUNCTION public.rb_test_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF id % 5000 = 0 THEN PERFORM pg_sleep(0.1); END IF;
        RETURN true;
      END $$;
      CREATE TABLE public.big (${BIG_COLUMNS}, CONSTRAINT paced CHECK (public.rb_test_pace(id)));`,
    );
    const file = pipelineFile(name, src, dst, ['public.big']);

    const cli = spawnCli(['run', '--json', file]);
    const pid = await waitFor(
      'a committed chunk and the busy destination backend',
      async () => {
        if ((await rowCount(dst, 'public.big')) < CHUNK) return undefined;
        const r = await cluster.query(
          'postgres',
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND backend_type = 'client backend' AND state = 'active'`,
          [dst.name, `rapidbyte/${name}`],
        );
        return r.rows.length > 0 ? (r.rows[0].pid as number) : undefined;
      },
      { cli },
    );
    const terminated = await cluster.query('postgres', 'SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(terminated.rows[0].ok).toBe(true);
    const atTermination = await rowCount(dst, 'public.big');
    expect(atTermination).toBeLessThan(ROWS);

    const result = await cli.exited;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const json = parseJson<RunJson>(result);
    expect(json.status).toBe('succeeded');
    const stream = json.streams[0] as StreamJson;
    expect(stream.status).toBe('succeeded');
    expect(stream.attempts).toBeGreaterThanOrEqual(2);
    expect(stream.error).toBeUndefined();

    // the destination equals the source: nothing lost, nothing twice
    const diff = await cluster.compareTables(src.url, 'public.big', dst.url, 'public.big');
    expect(diff.onlyInSourceCount).toBe(0);
    expect(diff.onlyInDestinationCount).toBe(0);
    expect([diff.sourceRows, diff.destinationRows]).toEqual([ROWS, ROWS]);
    const dups = await cluster.query(
      dst.name,
      'SELECT id, count(*)::int AS n FROM public.big GROUP BY id HAVING count(*) > 1 LIMIT 10',
    );
    expect(dups.rows).toEqual([]);

    // the state DB: running → retrying → running → succeeded, the retry's reason names the error
    const run = (await runsJson(file)).find((r) => r.runId === json.runId);
    expect(run?.status).toBe('succeeded');
    expect(run?.streams.map((s) => [s.stream, s.status, s.attempts])).toEqual([
      ['public.big', 'succeeded', stream.attempts],
    ]);
    const transitions = path(run as RunsJson, 'public.big');
    const retries = stream.attempts - 1;
    expect(transitions).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ...Array.from({ length: retries }, () => [
        ['running', 'retrying'],
        ['retrying', 'running'],
      ]).flat(),
      ['running', 'succeeded'],
    ]);
    const retrying = run?.transitions.find((t) => t.to === 'retrying');
    // the terminated backend shows as the server's 57P01, a lost connection, or — when the kill
    // lands while the COPY is being written — the socket's ECONNRESET/EPIPE: all transient
    expect(retrying?.reason).toMatch(
      /ADMIN_SHUTDOWN|CONNECTION_LOST|terminat|CONNECTION_FAILED: .*(ECONNRESET|EPIPE)/i,
    );

    // and the text listing shows the attempts and the transitions
    const text = await runCli(['runs', '--pipeline', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^run ${json.runId}\\s+${name}\\s+succeeded`, 'm'));
    expect(text.stdout).toMatch(
      new RegExp(
        `^\\s+public\\.big\\s+succeeded\\s+read \\d+\\s+written \\d+\\s+bytes [\\d.]+ (?:B|KiB|MiB|GiB)\\s+attempts ${stream.attempts}`,
        'm',
      ),
    );
    expect(text.stdout).toMatch(/running → retrying/);
    expect(text.stdout).toMatch(/retrying → running/);
    expect(text.stdout).toMatch(/running → succeeded/);
  });

  it.each([
    {
      case: 'a missing source table',
      stream: 'public.no_such_table',
      ddl: '',
      code: 'TABLE_NOT_FOUND',
    },
    {
      case: 'a destination column of an incompatible type',
      stream: 'public.small',
      ddl: 'CREATE TABLE public.small (id bigint PRIMARY KEY, label integer NOT NULL);',
      code: undefined,
    },
  ])('a permanent error ($case) fails on the first attempt with a non-zero exit', async ({ stream, ddl, code }) => {
    const name = `retry_permanent_${stream.slice(7)}`;
    const dst = await freshDestination(name, ddl || undefined);
    const file = pipelineFile(name, src, dst, [stream]);
    const started = Date.now();
    const result = await runCli(['run', '--json', file]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const json = parseJson<RunJson>(result);
    expect(json.status).toBe('failed');
    const failed = json.streams[0] as StreamJson;
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error?.kind).toBe('permanent');
    if (code) expect(failed.error?.code).toBe(code);
    expect(Date.now() - started).toBeLessThan(60_000);

    const run = (await runsJson(file)).find((r) => r.runId === json.runId);
    expect(run?.streams.map((s) => [s.status, s.attempts, s.error?.kind])).toEqual([['failed', 1, 'permanent']]);
    expect(path(run as RunsJson, stream)).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'failed'],
    ]);
    if (ddl) expect(await rowCount(dst, stream)).toBe(0);
  });

  it('runs --pipeline lists the runs newest first with per-stream counts, attempts and transitions', async () => {
    const name = 'retry_history';
    const dst = await freshDestination(name);
    const file = pipelineFile(name, src, dst, ['public.small', 'public.tiny'], 'replace');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const result = await runCli(['run', '--json', file]);
      expect(result.code, result.stderr).toBe(0);
      ids.push(parseJson<RunJson>(result).runId);
    }

    const text = await runCli(['runs', '--pipeline', file]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    const runLines = lines.filter((l) => l.startsWith('run '));
    expect(runLines.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['run', String(ids[1]), name, 'succeeded'],
      ['run', String(ids[0]), name, 'succeeded'],
    ]);
    for (const [stream, rows] of [
      ['public.small', 100],
      ['public.tiny', 7],
    ] as const) {
      const streamLines = lines.filter((l) => l.trim().startsWith(`${stream} `));
      expect(streamLines).toHaveLength(2);
      for (const l of streamLines)
        expect(l.trim()).toMatch(
          new RegExp(
            `^${stream.replace('.', '\\.')}\\s+succeeded\\s+read ${rows}\\s+written ${rows}\\s+bytes [\\d.]+ (?:B|KiB|MiB|GiB)\\s+attempts 1$`,
          ),
        );
    }
    // two streams per run, and each run's own transition line
    expect(lines.filter((l) => /→ succeeded/.test(l))).toHaveLength(6);
    expect(lines.filter((l) => /pending → running/.test(l))).toHaveLength(6);
    expect(lines.filter((l) => /^\s+\S+Z\s+run running → succeeded$/.test(l))).toHaveLength(2);

    const json = await runsJson(file);
    expect(json.map((r) => r.runId)).toEqual([ids[1], ids[0]]);
    for (const r of json) {
      expect(r.streams.map((s) => [s.stream, s.status, s.attempts, s.counts.rowsRead, s.counts.rowsWritten])).toEqual([
        ['public.small', 'succeeded', 1, 100, 100],
        ['public.tiny', 'succeeded', 1, 7, 7],
      ]);
      for (const s of ['public.small', 'public.tiny'])
        expect(path(r, s)).toEqual([
          [null, 'pending'],
          ['pending', 'running'],
          ['running', 'succeeded'],
        ]);
    }
    const limited = await runCli(['runs', '--pipeline', file, '--limit', '1', '--json']);
    expect(parseJson<RunsJson[]>(limited).map((r) => r.runId)).toEqual([ids[1]]);
  });
});

// A stream that stops receiving what it is owed no longer hangs a run silently: the stall watchdog
// (resources.stall_timeout) restarts it from its last commit, counts it (summary, --json, runs),
// and fails it with CDC_STALLED / STREAM_STALLED when it stalls again without committing in between.
// The stalls are made deterministic by test-only fault switches: `mute-hub-stream` (the replication
// hub delivers nothing to a stream's first attachments) and `block-source` (a batch stream's reader
// hangs in the host before its first step).
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pgEndpoint, runCli, writePipeline, type CliResult } from '../support/run-cli.js';
import { spawnCli, waitFor } from '../support/spawn-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import type { RunJson, StreamJson } from '../support/run-json.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await cluster.query(
    'postgres',
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE 'rapidbyte_stall%'`,
  );
  await scope.dropAll();
});

type StalledStream = StreamJson & { stalls?: number };

function parseJson(result: CliResult): RunJson & { streams: StalledStream[] } {
  try {
    return JSON.parse(result.stdout) as RunJson & { streams: StalledStream[] };
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}, signal ${result.signal}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

function stream(json: RunJson & { streams: StalledStream[] }, name: string): StalledStream {
  const s = json.streams.find((x) => x.stream === name);
  if (!s) throw new Error(`no stream ${name} in ${JSON.stringify(json)}`);
  return s;
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, table: string): Promise<void> {
  const diff = await cluster.compareTables(src.url, table, dst.url, table);
  expect(diff.onlyInSource, `${table}: rows only in the source`).toEqual([]);
  expect(diff.onlyInDestination, `${table}: rows only in the destination`).toEqual([]);
}

async function equal(src: TestDatabase, dst: TestDatabase, table: string): Promise<boolean> {
  const diff = await cluster.compareTables(src.url, table, dst.url, table).catch(() => undefined);
  return diff !== undefined && diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0;
}

/** The `runs` line of a stream in the latest run. */
async function runsLine(file: string, name: string): Promise<string> {
  const runs = await runCli(['runs', '--pipeline', file, '--limit', '1']);
  expect(runs.code, runs.stderr).toBe(0);
  const line = runs.stdout.split('\n').find((l) => l.startsWith(`  ${name}  `));
  if (!line) throw new Error(`no line for ${name} in:\n${runs.stdout}`);
  return line;
}

/** A one-shot run must end by itself; a hung one is killed after this long and fails the test. */
const RUN_TIMEOUT_MS = 90_000;

async function cdcPipeline(
  prefix: string,
  extraStreams = '',
): Promise<{ src: TestDatabase; dst: TestDatabase; file: string }> {
  const src = await scope.create(
    `${prefix}_src`,
    `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;
CREATE TABLE public.ev2 (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev2 SELECT g, 0 FROM generate_series(1, 20) g;
CREATE TABLE public.fr (id int PRIMARY KEY, v text); INSERT INTO public.fr SELECT g, 'x' || g FROM generate_series(1, 50) g;`,
  );
  const dst = await scope.create(`${prefix}_dst`);
  const file = writePipeline(`version: "1.0"
pipeline: ${prefix}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.ev, sync_mode: cdc }
    - { name: public.ev2, sync_mode: cdc }
${extraStreams}destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
resources: { stall_timeout: 4s }
`);
  // the first run snapshots and creates the slot; the changes below are what the next run owes
  const first = await runCli(['run', '--json', file], { timeoutMs: RUN_TIMEOUT_MS });
  expect(first.code, first.stderr).toBe(0);
  await cluster.psql(
    src.name,
    `INSERT INTO ev SELECT g, 1 FROM generate_series(101, 130) g; UPDATE ev SET v = 5 WHERE id <= 10; DELETE FROM ev WHERE id = 50;
INSERT INTO ev2 SELECT g, 1 FROM generate_series(21, 30) g;`,
  );
  return { src, dst, file };
}

describe('stall watchdog: cdc streams', () => {
  it('a CDC stream the replication hub stops delivering to (its table has new WAL) no longer hangs the run: it is restarted from its last commit and counted (summary, --json, runs)', async () => {
    const { src, dst, file } = await cdcPipeline('stall_cdc_once');
    const run = await runCli(['run', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'mute-hub-stream:public.ev:1' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(run.signal, `the run hung (killed after ${RUN_TIMEOUT_MS} ms):\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const json = parseJson(run);
    expect(stream(json, 'public.ev')).toMatchObject({ status: 'succeeded', attempts: 2, stalls: 1 });
    expect(stream(json, 'public.ev2').stalls).toBeUndefined();
    expect(stream(json, 'public.ev2').attempts).toBe(1);
    expect(run.stderr).toMatch(
      /public\.ev watchdog: public\.ev: stalled: the replication hub read changes of its table up to .* restarting it from its last commit/,
    );
    await expectEqual(src, dst, 'ev');
    await expectEqual(src, dst, 'ev2');
    expect(await runsLine(file, 'public.ev')).toMatch(/succeeded .* attempts 2 .*stalls: 1/);
    expect(await runsLine(file, 'public.ev2')).not.toContain('stalls');

    // the text summary shows the stalls column
    await cluster.psql(src.name, `INSERT INTO ev VALUES (500, 1);`);
    const text = await runCli(['run', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'mute-hub-stream:public.ev:1' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(text.code, text.stderr).toBe(0);
    const header = text.stdout.split('\n').find((l) => l.includes('rows read')) ?? '';
    expect(header).toContain('stalls');

    // the source application's own writes still work, and a plain run follows them
    await cluster.psql(
      src.name,
      `INSERT INTO ev VALUES (1000, 1); UPDATE ev SET v = 99 WHERE id = 1; DELETE FROM ev WHERE id = 2;`,
    );
    const after = await runCli(['run', '--json', file], { timeoutMs: RUN_TIMEOUT_MS });
    expect(after.code, after.stderr).toBe(0);
    await expectEqual(src, dst, 'ev');
  });

  it('a CDC stream that stalls again after its restart fails with CDC_STALLED (permanent); the other streams finish and the run exits 5 (partial failure)', async () => {
    const { src, dst, file } = await cdcPipeline(
      'stall_cdc_twice',
      '    - { name: public.fr, sync_mode: full_refresh }\n',
    );
    const run = await runCli(['run', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'mute-hub-stream:public.ev:2' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(run.signal, `the run hung (killed after ${RUN_TIMEOUT_MS} ms):\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(5);
    const json = parseJson(run);
    expect(json.status).toBe('partial');
    const ev = stream(json, 'public.ev');
    expect(ev).toMatchObject({ status: 'failed', attempts: 2, stalls: 2 });
    expect(ev.error?.code).toBe('CDC_STALLED');
    expect(ev.error?.kind).toBe('permanent');
    expect(ev.error?.message).toMatch(/stalled again after a restart, with nothing committed in between/);
    expect(stream(json, 'public.ev2').status).toBe('succeeded');
    expect(stream(json, 'public.fr').status).toBe('succeeded');
    await expectEqual(src, dst, 'ev2');
    await expectEqual(src, dst, 'fr');
    expect(await runsLine(file, 'public.ev')).toMatch(/failed .*stalls: 2 .*CDC_STALLED/);
    // nothing of the stalled stream was lost: the next run (no fault) catches up
    const again = await runCli(['run', '--json', file], { timeoutMs: RUN_TIMEOUT_MS });
    expect(again.code, again.stderr).toBe(0);
    await expectEqual(src, dst, 'ev');
  });

  it('a CDC stream that receives nothing because its table has no new WAL is not restarted; once its table is written and still nothing arrives, it is', async () => {
    const src = await scope.create(
      'stall_idle_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 10) g;
CREATE TABLE public.ev2 (id int PRIMARY KEY, v int NOT NULL);`,
    );
    const dst = await scope.create('stall_idle_dst');
    const file = writePipeline(`version: "1.0"
pipeline: stall_idle
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.ev, sync_mode: cdc }
    - { name: public.ev2, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
resources: { stall_timeout: 3s }
`);
    const first = await runCli(['run', '--json', file], { timeoutMs: RUN_TIMEOUT_MS });
    expect(first.code, first.stderr).toBe(0);
    // the hub delivers nothing at all to public.ev's first attachment (not even idle progress)
    const follow = spawnCli(['run', '--follow', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'mute-hub-stream:public.ev:1' },
    });
    await waitFor(
      'the snapshot',
      async () => ((await equal(src, dst, 'ev')) && (await equal(src, dst, 'ev2')) ? true : undefined),
      { cli: follow, intervalMs: 200 },
    );
    // only the other table is written, for several stall timeouts: public.ev is owed nothing
    for (let i = 1; i <= 10; i++) {
      await cluster.psql(src.name, `INSERT INTO ev2 VALUES (${i}, ${i});`);
      await waitFor(`ev2 row ${i}`, async () => ((await equal(src, dst, 'ev2')) ? true : undefined), {
        cli: follow,
        intervalMs: 200,
      });
      await new Promise((resolve) => setTimeout(resolve, 750)); // an observation window: nothing may happen in it
    }
    expect(follow.stderrSoFar()).not.toMatch(/stalled/);
    // now public.ev's table has WAL the stream does not get: the watchdog restarts it
    await cluster.psql(
      src.name,
      `INSERT INTO ev VALUES (11, 1); UPDATE ev SET v = 7 WHERE id = 3; DELETE FROM ev WHERE id = 4;`,
    );
    await waitFor('the restarted stream to catch up', async () => ((await equal(src, dst, 'ev')) ? true : undefined), {
      cli: follow,
      intervalMs: 250,
      timeoutMs: 60_000,
    });
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson(result);
    expect(stream(json, 'public.ev')).toMatchObject({ status: 'succeeded', attempts: 2, stalls: 1 });
    expect(stream(json, 'public.ev2')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(stream(json, 'public.ev2').stalls).toBeUndefined();
    await expectEqual(src, dst, 'ev');
    await expectEqual(src, dst, 'ev2');
  });
});

describe('stall watchdog: batch streams', () => {
  async function batchPipeline(prefix: string): Promise<{ src: TestDatabase; dst: TestDatabase; file: string }> {
    const src = await scope.create(
      `${prefix}_src`,
      `CREATE TABLE public.b (id int PRIMARY KEY, v text); INSERT INTO public.b SELECT g, 'b' || g FROM generate_series(1, 500) g;
CREATE TABLE public.other (id int PRIMARY KEY, v text); INSERT INTO public.other SELECT g, 'o' || g FROM generate_series(1, 50) g;`,
    );
    const dst = await scope.create(`${prefix}_dst`);
    const file = writePipeline(`version: "1.0"
pipeline: ${prefix}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.b, sync_mode: full_refresh }
    - { name: public.other, sync_mode: incremental, cursor_field: id }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
resources: { stall_timeout: 4s, parallelism: 2 }
`);
    return { src, dst, file };
  }

  it('a batch stream whose reader hangs is restarted from its last commit (stalls: 1) instead of hanging the run', async () => {
    const { src, dst, file } = await batchPipeline('stall_batch_once');
    const run = await runCli(['run', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'block-source:public.b:1' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(run.signal, `the run hung (killed after ${RUN_TIMEOUT_MS} ms):\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const json = parseJson(run);
    expect(stream(json, 'public.b')).toMatchObject({ status: 'succeeded', attempts: 2, stalls: 1, rowsWritten: 500 });
    expect(run.stderr).toMatch(
      /public\.b watchdog: public\.b: stalled: no rows read or committed for .* restarting it from its last commit/,
    );
    await expectEqual(src, dst, 'b');
    await expectEqual(src, dst, 'other');
    expect(await runsLine(file, 'public.b')).toMatch(/attempts 2 .*stalls: 1/);
    // the source application's own writes still work
    await cluster.psql(
      src.name,
      `INSERT INTO b VALUES (1000, 'new'); UPDATE b SET v = 'changed' WHERE id = 1; DELETE FROM b WHERE id = 2;`,
    );
  });

  it('a batch stream whose reader hangs again after its restart fails with STREAM_STALLED; the other stream finishes and the run exits 5', async () => {
    const { src, dst, file } = await batchPipeline('stall_batch_twice');
    const run = await runCli(['run', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'block-source:public.b:2' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(run.signal, `the run hung (killed after ${RUN_TIMEOUT_MS} ms):\n${run.stderr}`).toBeNull();
    expect(run.code, run.stderr).toBe(5);
    const json = parseJson(run);
    const b = stream(json, 'public.b');
    expect(b).toMatchObject({ status: 'failed', attempts: 2, stalls: 2 });
    expect(b.error?.code).toBe('STREAM_STALLED');
    expect(b.error?.kind).toBe('permanent');
    expect(stream(json, 'public.other').status).toBe('succeeded');
    await expectEqual(src, dst, 'other');
    expect(await runsLine(file, 'public.b')).toMatch(/failed .*stalls: 2 .*STREAM_STALLED/);
  });

  it('a batch stream waiting on a lock at the source for longer than stall_timeout is reported, not restarted', async () => {
    const { src, dst, file } = await batchPipeline('stall_batch_lock');
    const locker = new pg.Client({ connectionString: src.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE public.b IN ACCESS EXCLUSIVE MODE');
      const cli = spawnCli(['run', '--json', file]);
      await waitFor(
        'the watchdog to report the wait',
        async () =>
          /public\.b watchdog: .*waiting on the database is not a stall/.test(cli.stderrSoFar()) ? true : undefined,
        {
          cli,
          intervalMs: 200,
          timeoutMs: 60_000,
        },
      );
      await locker.query('COMMIT');
      const result = await cli.exited;
      expect(result.code, result.stderr).toBe(0);
      const json = parseJson(result);
      expect(stream(json, 'public.b')).toMatchObject({ status: 'succeeded', attempts: 1, rowsWritten: 500 });
      expect(stream(json, 'public.b').stalls).toBeUndefined();
      await expectEqual(src, dst, 'b');
    } finally {
      await locker.end();
    }
  });
});

// resources.timeouts and resources.retry (see docs/architecture.md#errors-and-retries): a stream
// past `timeouts.stream` (or a run past `timeouts.run`) drains exactly like on SIGINT (it stops at
// a chunk boundary and the destination commits what it received), then ends `failed` with
// `TIMEOUT` (exit 5); its committed chunks stay, and the next run resumes from its checkpoint and
// completes equal. The stream is made slow deterministically: the `hold-source-after-commits`
// fault holds its source once two chunks are committed, until the stream is asked to stop. A
// stream whose transient failures outlast `retry.max_retries` is marked `retriesExhausted` in
// `run --json` and `runs --json`, after waiting the configured backoff between its attempts.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  expectTimedOut,
  HOLD_SLOW_SOURCE,
  parseJson,
  pgPipeline,
  QUICK,
  runCli,
  SLOW,
  streamNamed,
  testPg,
  TIMEOUT_ROWS,
  TIMEOUT_SOURCE_SQL,
  timeoutPipeline,
  writePipelineDoc,
  type RunJson,
  type RunsJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function runsJson(file: string): Promise<RunsJson[]> {
  const result = await runCli(['runs', '--pipeline', file, '--json']);
  expect(result.code, cliOutput(result)).toBe(0);
  return parseJson<RunsJson[]>(result);
}

describe('resources.timeouts', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('timeout_src', TIMEOUT_SOURCE_SQL);
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  const pipeline = (name: string, dst: TestDatabase, timeouts: Record<string, string>): string =>
    writePipelineDoc(timeoutPipeline(name, src, dst, timeouts));

  it('a stream timeout ends the stream TIMEOUT, committed chunks stay, rerun completes equal', async () => {
    const dst = await databases.create('timeout_stream_dst');
    const file = pipeline('timeout_stream', dst, { stream: '6s' });
    const timedOut = await runCli(['run', '--json', file], { env: HOLD_SLOW_SOURCE });
    const { json, committed } = await expectTimedOut(
      timedOut,
      dst,
      /public\.slow: the stream ran past resources\.timeouts\.stream \(6s\): drained and stopped; what it committed is kept/,
    );
    // drained like on SIGINT: the source stopped at a chunk boundary
    expect(timedOut.stderr).toMatch(/interrupted: stopped after chunk \d+/);

    const [recorded] = await runsJson(file);
    expect(recorded?.runId).toBe(json.runId);
    expect(recorded?.streams.find((s) => s.stream === SLOW)).toMatchObject({
      status: 'failed',
      error: { code: 'TIMEOUT', kind: 'permanent' },
    });

    // the summary without --json names the code and its hint
    const text = await runCli(['runs', '--pipeline', file]);
    expect(text.stdout).toMatch(/TIMEOUT/);

    const rerun = expectSucceeded(await runCli(['run', '--json', file]));
    expect(streamNamed(rerun, SLOW).retriesExhausted).toBeUndefined();
    // resumed after the committed chunks: only the rest was read
    expect(streamNamed(rerun, SLOW).rowsRead).toBe(TIMEOUT_ROWS - committed);
    await expectTablesEqual(src, SLOW, dst, SLOW, { rows: TIMEOUT_ROWS });
    await expectTablesEqual(src, QUICK, dst, QUICK, { rows: 50 });
  });

  it('a run timeout drains every stream still running: each ends TIMEOUT, the finished one succeeded', async () => {
    const dst = await databases.create('timeout_run_dst');
    const file = pipeline('timeout_run', dst, { run: '6s', stream: '1h' });
    const timedOut = await runCli(['run', '--json', file], { env: HOLD_SLOW_SOURCE });
    await expectTimedOut(timedOut, dst, /the run ran past resources\.timeouts\.run \(6s\)/);
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, SLOW, dst, SLOW, { rows: TIMEOUT_ROWS });
    await expectTablesEqual(src, QUICK, dst, QUICK, { rows: 50 });
  });
});

describe('resources.retry', () => {
  const databases = databaseScope(cluster);

  afterAll(async () => {
    await databases.dropAll();
  });

  it('waits the fixed backoff between retries and marks the stream retriesExhausted in run --json and runs --json', async () => {
    const dst = await databases.create('retry_policy_dst');
    const port = await closedPort();
    const file = writePipelineDoc(
      pgPipeline({
        name: 'retry_policy',
        src: { url: `postgres://postgres@127.0.0.1:${port}/nowhere` },
        dst,
        streams: [{ name: 'public.t', sync_mode: 'full_refresh' }],
        resources: { retry: { backoff: 'fixed', initial_delay: '300ms', jitter: 'none', max_retries: 2 } },
      }),
    );
    const failed = await runCli(['run', '--json', file]);
    expect(failed.code, cliOutput(failed)).toBe(3);
    const stream = streamNamed(parseJson<RunJson>(failed), 'public.t');
    expect(stream.error).toMatchObject({ code: 'CONNECTION_FAILED', kind: 'transient' });
    expect(stream.attempts).toBe(3);
    expect(stream.retriesExhausted).toBe(true);
    // the configured backoff, not the default curve: exactly 300 ms before each retry
    expect(failed.stderr.match(/retry \d\/2 in \d+ ms/g)).toEqual(['retry 1/2 in 300 ms', 'retry 2/2 in 300 ms']);
    const [recorded] = await runsJson(file);
    expect(recorded?.streams[0]).toMatchObject({ stream: 'public.t', attempts: 3, retriesExhausted: true });
  });
});

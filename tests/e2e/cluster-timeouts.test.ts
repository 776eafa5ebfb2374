// resources.timeouts in a cluster run (see docs/architecture.md#cluster): the coordinator keeps the
// run's and each stream's clock; when a limit passes, the chain running on another worker drains
// as on SIGINT and ends `failed` with `TIMEOUT` (exit 5), exactly as in a local run — in the run's
// result, in `runs`, and with what it committed kept for the next run. The chains worker of the
// timed-out run has the fault that holds the slow stream's source after two committed chunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectJson,
  expectSucceeded,
  expectTablesEqual,
  expectTimedOut,
  HOLD_SLOW_SOURCE,
  QUICK,
  runCli,
  SLOW,
  startWorker,
  streamNamed,
  testPg,
  TIMEOUT_ROWS,
  TIMEOUT_SOURCE_SQL,
  timeoutPipeline,
  workerReady,
  writePipelineDoc,
  type RunsJson,
  type SpawnedCli,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const workers: SpawnedCli[] = [];

describe('cluster: resources.timeouts', () => {
  let state: TestDatabase;
  let src: TestDatabase;

  beforeAll(async () => {
    state = await scope.create('ctime_state');
    src = await scope.create('ctime_src', TIMEOUT_SOURCE_SQL);
    const coordinator = startWorker(state.url, { id: 'tc', queues: 'runs' }, workers);
    await workerReady(coordinator, 'tc');
  });

  /** A chains worker; `hold`: with the fault that holds the slow stream's source. */
  const chainsWorker = async (id: string, hold: boolean): Promise<SpawnedCli> => {
    const env: Record<string, string> = hold ? HOLD_SLOW_SOURCE : {};
    const worker = startWorker(state.url, { id, queues: 'chains', slots: 2, env }, workers);
    await workerReady(worker, id);
    return worker;
  };
  /** Stops a worker with SIGTERM (it has no chain left: it exits 0 at once). */
  const stop = async (worker: SpawnedCli): Promise<void> => {
    process.kill(worker.pid, 'SIGTERM');
    const exited = await worker.exited;
    expect(exited.code, cliOutput(exited)).toBe(0);
  };

  afterAll(async () => {
    for (const w of workers) await w.kill9();
    await scope.dropAll();
  });

  const pipeline = (name: string, dst: TestDatabase, timeouts: Record<string, string>): string =>
    writePipelineDoc({
      ...timeoutPipeline(name, src, dst, timeouts),
      state: { backend: 'postgres', connection: state.url },
    });

  for (const [scopeName, timeouts, message] of [
    [
      'run',
      { run: '6s', stream: '1h' },
      /public\.slow: the run ran past resources\.timeouts\.run \(6s\): drained and stopped/,
    ],
    [
      'stream',
      { stream: '6s' },
      /public\.slow: the stream ran past resources\.timeouts\.stream \(6s\): drained and stopped/,
    ],
  ] as const) {
    it(`a ${scopeName} limit passing while the chain runs on another worker ends it TIMEOUT; the rerun completes equal`, async () => {
      const dst = await scope.create(`ctime_${scopeName}_dst`);
      const file = pipeline(`ctime_${scopeName}`, dst, timeouts);
      const holding = await chainsWorker(`th-${scopeName}`, true);
      const timedOut = await runCli(['run', '--cluster', '--json', file], { timeoutMs: 180_000 });
      await stop(holding);
      const { json, committed } = await expectTimedOut(timedOut, dst, message);
      // the run history (recorded by the worker that ran the chain) says the same
      const [recorded] = expectJson<RunsJson[]>(await runCli(['runs', '--json', '--pipeline', file, '--limit', '1']));
      expect(recorded?.runId).toBe(json.runId);
      expect(recorded?.streams.find((s) => s.stream === SLOW)).toMatchObject({
        status: 'failed',
        error: { code: 'TIMEOUT', kind: 'permanent' },
      });

      // without the limit the rerun resumes after the committed chunks and completes equal
      const clean = await chainsWorker(`tr-${scopeName}`, false);
      const rerunFile = pipeline(`ctime_${scopeName}`, dst, {});
      const rerun = expectSucceeded(await runCli(['run', '--cluster', '--json', rerunFile], { timeoutMs: 180_000 }));
      await stop(clean);
      expect(streamNamed(rerun, SLOW).rowsRead).toBe(TIMEOUT_ROWS - committed);
      await expectTablesEqual(src, SLOW, dst, SLOW, { rows: TIMEOUT_ROWS });
      await expectTablesEqual(src, QUICK, dst, QUICK, { rows: 50 });
    });
  }
});

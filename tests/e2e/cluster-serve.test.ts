// serve --cluster (see docs/architecture.md#cluster): the runs serve starts (schedules, triggers) are
// submitted to the workers at the lowest queue priority instead of running in the serve process.
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectTablesEqual,
  pgPipeline,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  type SpawnedCli,
} from '../support/e2e.js';
import { SERVE_TOKEN, projectDir } from '../support/serve-cli.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const spawned: SpawnedCli[] = [];

afterAll(async () => {
  for (const p of spawned) await p.kill9();
  await scope.dropAll();
});

describe('serve --cluster', () => {
  it('a triggered run of serve runs on a worker, submitted after the runs submitted by hand', async () => {
    const state = await scope.create('cserve_state');
    const sys = await scope.create('cserve_sys');
    const src = await scope.create('cserve_src', shuffledBigTableSql('public.t1', 5_000));
    const dst = await scope.create('cserve_dst');
    const dir = projectDir([
      {
        ...pgPipeline({
          name: 'cserve',
          src,
          dst,
          writeMode: 'append',
          streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }],
        }),
        state: { backend: 'postgres', connection: state.url },
        schedule: { every: '1h' },
      },
    ]);
    const worker = spawnCli(['worker', '--state', state.url, '--worker-id', 'sw1', '--slots', '1'], {
      timeoutMs: 300_000,
    });
    spawned.push(worker);
    await waitFor('the worker', async () => (worker.stderrSoFar().includes('worker sw1 ready') ? true : undefined), {
      cli: worker,
      timeoutMs: 60_000,
    });
    const served = spawnCli(['serve', dir, '--system-database', sys.url, '--listen', '127.0.0.1:0', '--cluster'], {
      env: { RAPIDBYTE_API_TOKEN: SERVE_TOKEN },
      timeoutMs: 300_000,
    });
    spawned.push(served);
    const url = await waitFor(
      'serve to listen',
      async () => /listening on (http:\/\/\S+)/.exec(served.stderrSoFar())?.[1],
      { cli: served, timeoutMs: 60_000 },
    );
    await waitFor(
      'serve to be ready',
      async () => (served.stderrSoFar().includes('ready: serving') ? true : undefined),
      {
        cli: served,
        timeoutMs: 60_000,
      },
    );
    const triggered = await runCli(['trigger', 'cserve', '--wait', '--json', '--server', url], {
      env: { RAPIDBYTE_API_TOKEN: SERVE_TOKEN },
    });
    expect(triggered.code, cliOutput(triggered)).toBe(0);
    expect((JSON.parse(triggered.stdout) as { status: string }).status).toBe('succeeded');
    await expectTablesEqual(src, 'public.t1', dst, 'public.t1', { rows: 5_000 });
    // it ran on the worker, as a cluster run of the lowest priority
    const chain = await cluster.query(
      state.name,
      `SELECT worker_id FROM rapidbyte.cluster_chains WHERE pipeline = 'cserve'`,
    );
    expect(chain.rows).toEqual([{ worker_id: 'sw1' }]);
    const run = await cluster.query(
      state.name,
      `SELECT executor_id, priority FROM rapidbyte_dbos.workflow_status WHERE workflow_uuid LIKE 'run:cserve:%'`,
    );
    expect(run.rows).toEqual([{ executor_id: 'sw1', priority: 1000 }]);
  });
});

// A zombie worker (see docs/architecture.md#cluster): a worker stopped (SIGSTOP) past its lease
// timeout is found lost by the survivors, which end its lease session and put its chain back on the
// queue; another worker resumes the chain from the destination's last commit. When the zombie wakes
// up (SIGCONT) mid-transaction, its commit is refused by the destination's fencing (FENCED) and it
// exits on its lost lease: nothing is written twice. Needs the destination's fencing (dest-postgres).
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  duplicateKeys,
  expectSucceeded,
  expectTablesEqual,
  pgPipeline,
  rowCount,
  shuffledBigTableSql,
  slowDestinationDdl,
  spawnCli,
  startWorker,
  testPg,
  waitFor,
  workerReady,
  writePipelineDoc,
  type SpawnedCli,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const workers: SpawnedCli[] = [];

afterAll(async () => {
  for (const w of workers) {
    try {
      process.kill(w.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await w.kill9();
  }
  await scope.dropAll();
});

describe('cluster: zombie worker', () => {
  it('SIGSTOP past the lease: the chain re-runs elsewhere; after SIGCONT the zombie is fenced and exits, nothing written twice', async () => {
    const state = await scope.create('czombie_state');
    const src = await scope.create('czombie_src', shuffledBigTableSql('public.t1', 100_000));
    // 0.1 s every 1,000 ids: the chain takes ≥ 10 s; an append table without a key shows a row loaded twice
    const dst = await scope.create('czombie_dst', slowDestinationDdl(['public.t1']));
    const file = writePipelineDoc({
      ...pgPipeline({
        name: 'czombie',
        src,
        dst,
        writeMode: 'append',
        streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }],
        resources: { checkpoint_interval_rows: 10_000, batch_rows: 5000 },
      }),
      state: { backend: 'postgres', connection: state.url },
    });
    const start = (id: string, queues: 'runs' | 'chains'): SpawnedCli =>
      startWorker(state.url, { id, queues, slots: 1, env: { RAPIDBYTE_TEST_LEASE_TIMEOUT_MS: '3000' } }, workers);
    const ready = workerReady;
    const coordinator = start('zc', 'runs');
    const zombie = start('za', 'chains');
    await Promise.all([ready(coordinator, 'zc'), ready(zombie, 'za')]);
    const run = spawnCli(['run', '--cluster', '--json', file], { timeoutMs: 300_000 });
    const chainOn = async (worker: string): Promise<boolean> => {
      const r = await cluster.query(
        state.name,
        `SELECT worker_id FROM rapidbyte.cluster_chains WHERE pipeline = 'czombie' AND finished_at IS NULL`,
      );
      return (r.rows[0] as { worker_id?: string } | undefined)?.worker_id === worker;
    };
    await waitFor(
      'the chain to commit on za',
      async () => ((await chainOn('za')) && (await rowCount(dst, 'public.t1')) > 0 ? true : undefined),
      { cli: run, intervalMs: 100 },
    );
    const survivor = start('zb', 'chains');
    await ready(survivor, 'zb');
    process.kill(zombie.pid, 'SIGSTOP');
    const stoppedAt = await rowCount(dst, 'public.t1');
    await waitFor(
      'the chain to re-run on zb and commit there',
      async () => ((await chainOn('zb')) && (await rowCount(dst, 'public.t1')) > stoppedAt + 10_000 ? true : undefined),
      { cli: run, intervalMs: 200, timeoutMs: 90_000 },
    );
    process.kill(zombie.pid, 'SIGCONT');
    const woke = await zombie.exited;
    expect(woke.code, cliOutput(woke)).toBe(75);
    expect(woke.stderr).toMatch(/lost its lease/);
    const summary = expectSucceeded(await run.exited);
    expect(summary.streams[0]?.attempts).toBeGreaterThanOrEqual(2);
    await expectTablesEqual(src, 'public.t1', dst, 'public.t1', { rows: 100_000 });
    expect(await duplicateKeys(dst, 'public.t1')).toEqual([]);
  });

  it('SIGSTOP of the coordinator past the lease: its lease and pipeline lock sessions are ended, the run is re-run by another worker and succeeds', async () => {
    const state = await scope.create('czc_state');
    const src = await scope.create('czc_src', shuffledBigTableSql('public.t1', 100_000));
    const dst = await scope.create('czc_dst', slowDestinationDdl(['public.t1']));
    const file = writePipelineDoc({
      ...pgPipeline({
        name: 'czc',
        src,
        dst,
        writeMode: 'append',
        streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }],
        resources: { checkpoint_interval_rows: 10_000, batch_rows: 5000 },
      }),
      state: { backend: 'postgres', connection: state.url },
    });
    const start = (id: string, queues: 'runs' | 'chains'): SpawnedCli =>
      startWorker(state.url, { id, queues, slots: 1, env: { RAPIDBYTE_TEST_LEASE_TIMEOUT_MS: '3000' } }, workers);
    const ready = workerReady;
    const stopped = start('cc1', 'runs');
    const chains = start('cw', 'chains');
    await Promise.all([ready(stopped, 'cc1'), ready(chains, 'cw')]);
    const run = spawnCli(['run', '--cluster', '--json', file], { timeoutMs: 300_000 });
    await waitFor(
      'the coordinator on cc1 and a commit',
      async () =>
        run.stderrSoFar().includes('coordinator on worker cc1') && (await rowCount(dst, 'public.t1')) > 0
          ? true
          : undefined,
      { cli: run, intervalMs: 100 },
    );
    const next = start('cc2', 'runs');
    await ready(next, 'cc2');
    process.kill(stopped.pid, 'SIGSTOP');
    const summary = expectSucceeded(await run.exited);
    expect(run.result()?.stderr).toContain('coordinator on worker cc2');
    expect(summary.status).toBe('succeeded');
    process.kill(stopped.pid, 'SIGCONT');
    expect((await stopped.exited).code).toBe(75);
    await expectTablesEqual(src, 'public.t1', dst, 'public.t1', { rows: 100_000 });
    expect(await duplicateKeys(dst, 'public.t1')).toEqual([]);
  });
});

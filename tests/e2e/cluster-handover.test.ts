// A worker stopped with SIGTERM (see docs/architecture.md#cluster) drains its chains to their last
// checkpoint, exits 0 and hands them over: another worker resumes each from the destination's last
// commit, and the run ends succeeded, equal to the source, no row twice.
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  duplicateKeys,
  expectJson,
  expectSucceeded,
  expectTablesEqual,
  pgPipeline,
  rowCount,
  runCli,
  shuffledBigTableSql,
  slowDestinationDdl,
  spawnCli,
  startWorker,
  testPg,
  waitFor,
  workerReady,
  writePipelineDoc,
  type RunsJson,
  type SpawnedCli,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const workers: SpawnedCli[] = [];

afterAll(async () => {
  for (const w of workers) await w.kill9();
  await scope.dropAll();
});

describe('cluster: worker stopped with SIGTERM', () => {
  it('drains its chain, exits 0, and another worker finishes it from the last commit', async () => {
    const state = await scope.create('chand_state');
    const src = await scope.create('chand_src', shuffledBigTableSql('public.t1', 100_000));
    // 0.1 s every 1,000 ids: the chain takes ≥ 10 s; an append table without a key shows a row loaded twice
    const dst = await scope.create('chand_dst', slowDestinationDdl(['public.t1']));
    const file = writePipelineDoc({
      ...pgPipeline({
        name: 'chand',
        src,
        dst,
        writeMode: 'append',
        streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }],
        resources: { checkpoint_interval_rows: 10_000, batch_rows: 5000 },
      }),
      state: { backend: 'postgres', connection: state.url },
    });
    const start = (id: string, queues: 'runs' | 'chains'): SpawnedCli =>
      startWorker(
        state.url,
        {
          id,
          queues,
          slots: 1,
          env: { RAPIDBYTE_TEST_LEASE_TIMEOUT_MS: '3000', RAPIDBYTE_TEST_DRAIN_GRACE_MS: '3000' },
        },
        workers,
      );
    const ready = workerReady;
    const coordinator = start('hc', 'runs');
    const leaving = start('ha', 'chains');
    await Promise.all([ready(coordinator, 'hc'), ready(leaving, 'ha')]);
    const run = spawnCli(['run', '--cluster', '--json', file], { timeoutMs: 300_000 });
    await waitFor(
      'the chain to commit on ha',
      async () => {
        const r = await cluster.query(
          state.name,
          `SELECT worker_id FROM rapidbyte.cluster_chains WHERE pipeline = 'chand' AND finished_at IS NULL`,
        );
        const on = (r.rows[0] as { worker_id?: string } | undefined)?.worker_id;
        return on === 'ha' && (await rowCount(dst, 'public.t1')) > 0 ? true : undefined;
      },
      { cli: run, intervalMs: 100 },
    );
    const taking = start('hb', 'chains');
    await ready(taking, 'hb');
    process.kill(leaving.pid, 'SIGTERM');
    const left = await leaving.exited;
    expect(left.code, cliOutput(left)).toBe(0);
    const summary = expectSucceeded(await run.exited);
    expect(summary.streams[0]?.attempts).toBeGreaterThanOrEqual(2);
    await expectTablesEqual(src, 'public.t1', dst, 'public.t1', { rows: 100_000 });
    expect(await duplicateKeys(dst, 'public.t1')).toEqual([]);
    const [history] = expectJson<RunsJson[]>(await runCli(['runs', '--json', '--pipeline', file, '--limit', '1']));
    expect(history?.status).toBe('succeeded');
    expect(history?.transitions.some((t) => /re-run on worker hb after worker ha was lost/.test(t.reason ?? ''))).toBe(
      true,
    );
  });
});

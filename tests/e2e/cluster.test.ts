// Scale-out (see docs/architecture.md#cluster): `rapidbyte worker` processes sharing a Postgres state
// DB take runs and stream/shard chains from its queues. Caps hold cluster-wide (`parallelism`) and
// per machine (`--slots`), a worker killed with -9 has its chains put back on the queue and resumed
// elsewhere, and cluster mode refuses a SQLite state DB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG_COLUMNS_DDL,
  cliOutput,
  databaseScope,
  duplicateKeys,
  expectJson,
  expectSucceeded,
  expectTablesEqual,
  pacedTableDdl,
  pgPipeline,
  rowCount,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type RunsJson,
  type SpawnedCli,
  type TestDatabase,
  slowDestinationDdl,
  workerReady,
} from '../support/e2e.js';

const cluster = testPg();
const LEASE_ENV = { RAPIDBYTE_TEST_LEASE_TIMEOUT_MS: '3000' };
/** Every form a password could leak in. */
const leakForms = (password: string): string[] => [
  password,
  encodeURIComponent(password),
  encodeURI(password),
  Buffer.from(password).toString('base64'),
];

interface ChainRow {
  chain_id: string;
  pipeline: string;
  worker_id: string;
  started_at: Date;
  finished_at: Date | null;
  executions: number;
}

/** The most intervals that overlap at one instant. */
function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const points = intervals.flatMap((i) => [
    { at: i.start, d: 1 },
    { at: i.end, d: -1 },
  ]);
  // an end and a start at the same instant do not overlap
  points.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const p of points) {
    now += p.d;
    max = Math.max(max, now);
  }
  return max;
}

describe('cluster: workers sharing a Postgres state DB', () => {
  const databases = databaseScope(cluster);
  let state: TestDatabase;
  let src: TestDatabase;
  const workers: SpawnedCli[] = [];

  const startWorker = (id: string, extra: string[] = [], env: Record<string, string> = {}): SpawnedCli => {
    const w = spawnCli(['worker', '--state', state.url, '--worker-id', id, ...extra], {
      env: { ...LEASE_ENV, RB_CLUSTER_PW: cluster.passwordUser.password, ...env },
      timeoutMs: 600_000,
    });
    workers.push(w);
    return w;
  };
  const waitReady = workerReady;
  const chains = async (pipeline: string): Promise<ChainRow[]> =>
    (
      await cluster.query(
        state.name,
        `SELECT chain_id, pipeline, worker_id, started_at, finished_at, executions FROM rapidbyte.cluster_chains WHERE pipeline = $1`,
        [pipeline],
      )
    ).rows as ChainRow[];
  const statePipeline = (doc: ReturnType<typeof pgPipeline>): ReturnType<typeof pgPipeline> => ({
    ...doc,
    state: { backend: 'postgres', connection: state.url },
  });

  beforeAll(async () => {
    state = await databases.create('cluster_state');
    src = await databases.create('cluster_src');
    await cluster.psql(
      src.name,
      `${shuffledBigTableSql('public.big', 60_000)}
       ${shuffledBigTableSql('public.t1', 20_000)}
       ${shuffledBigTableSql('public.t2', 20_000)}
       ${shuffledBigTableSql('public.t3', 20_000)}`,
    );
  });

  afterAll(async () => {
    for (const w of workers) await w.kill9();
    await databases.dropAll();
  });

  it('run --cluster with a SQLite state DB is refused as a config error naming the file and key', async () => {
    const dst = await databases.create('cluster_sqlite_dst');
    const file = writePipelineDoc(
      pgPipeline({ name: 'cluster_sqlite', src, dst, streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }] }),
    );
    const result = await runCli(['run', '--cluster', file]);
    expect(result.code, cliOutput(result)).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/state\.backend.*cluster mode needs backend 'postgres'.*got 'sqlite'/);
    expect(await rowCount(dst, 'public.t1').catch(() => 0)).toBe(0);
    // on a Postgres state DB that no worker shares yet: refused at once, not left waiting in the queue
    const orphan = writePipelineDoc(
      statePipeline(
        pgPipeline({ name: 'cluster_orphan', src, dst, streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }] }),
      ),
    );
    const none = await runCli(['run', '--cluster', orphan]);
    expect(none.code, cliOutput(none)).toBe(1);
    expect(none.stderr).toContain(`no live worker shares the state DB of ${orphan}`);
  });

  it('3 workers × 2 slots: 6 shards at parallelism 4 and 3 streams at parallelism 1 never exceed their caps, cluster-wide or per worker', async () => {
    const ids = ['cw1', 'cw2', 'cw3'];
    const started = ids.map((id) => startWorker(id, ['--slots', '2']));
    await Promise.all(started.map((w, i) => waitReady(w, ids[i] as string)));
    const listed = expectJson<{ workerId: string; status: string; slots: number }[]>(
      await runCli(['workers', '--json', '--state', state.url]),
    );
    expect(listed.filter((w) => ids.includes(w.workerId)).map((w) => [w.workerId, w.status, w.slots])).toEqual([
      ['cw1', 'live', 2],
      ['cw2', 'live', 2],
      ['cw3', 'live', 2],
    ]);

    const dstShards = await databases.create('cluster_shards_dst', pacedTableDdl('public.big', BIG_COLUMNS_DDL));
    const dstStreams = await databases.create('cluster_streams_dst');
    const sharded = writePipelineDoc(
      statePipeline(
        pgPipeline({
          name: 'cluster_shards',
          src,
          dst: dstShards,
          writeMode: 'append',
          streams: [{ name: 'public.big', sync_mode: 'full_refresh', shards: 6 }],
          resources: { parallelism: 4, checkpoint_interval_rows: 5000, batch_rows: 2500 },
        }),
      ),
    );
    // this source is read as a password-authenticated role, its password given as ${VAR}: resolved
    // on each worker, never in a job, an event, a result or an output
    const { user, password } = cluster.passwordUser;
    await cluster.query(src.name, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${user}"`);
    const streamsDoc = statePipeline(
      pgPipeline({
        name: 'cluster_streams',
        src,
        dst: dstStreams,
        writeMode: 'append',
        streams: ['public.t1', 'public.t2', 'public.t3'].map((name) => ({ name, sync_mode: 'full_refresh' })),
        resources: { parallelism: 1 },
      }),
    );
    streamsDoc.source.config = {
      host: cluster.host,
      port: cluster.port,
      user,
      password: '${RB_CLUSTER_PW}',
      database: src.name,
    };
    const streams = writePipelineDoc(streamsDoc);
    const [a, b] = await Promise.all([
      runCli(['run', '--cluster', '--json', sharded]),
      runCli(['run', '--cluster', '--json', streams], { env: { RB_CLUSTER_PW: password } }),
    ]);
    const shardRun = expectSucceeded(a);
    expect(shardRun.streams[0]?.shards).toBe(6);
    expectSucceeded(b);
    await expectTablesEqual(src, 'public.big', dstShards, 'public.big', { rows: 60_000 });
    for (const t of ['public.t1', 'public.t2', 'public.t3'])
      await expectTablesEqual(src, t, dstStreams, t, { rows: 20_000 });

    const shardChains = await chains('cluster_shards');
    const streamChains = await chains('cluster_streams');
    expect(shardChains).toHaveLength(6);
    expect(streamChains).toHaveLength(3);
    const interval = (c: ChainRow): { start: number; end: number } => ({
      start: c.started_at.getTime(),
      end: (c.finished_at as Date).getTime(),
    });
    expect(shardChains.every((c) => c.finished_at !== null)).toBe(true);
    expect(maxOverlap(shardChains.map(interval))).toBeLessThanOrEqual(4);
    expect(maxOverlap(streamChains.map(interval))).toBe(1);
    const all = [...shardChains, ...streamChains];
    for (const id of ids)
      expect(maxOverlap(all.filter((c) => c.worker_id === id).map(interval))).toBeLessThanOrEqual(2);
    // the work was spread: the shards ran on more than one machine
    expect(new Set(shardChains.map((c) => c.worker_id)).size).toBeGreaterThan(1);
    // every row of every table of the workflow engine (inputs, step outputs, results, …) as text
    const tables = await cluster.query(
      state.name,
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'rapidbyte_dbos'`,
    );
    let dbosText = '';
    for (const { t } of tables.rows as { t: string }[]) {
      const rows = await cluster.query(
        state.name,
        `SELECT coalesce(string_agg(x::text, ' '), '') AS t FROM rapidbyte_dbos."${t}" x`,
      );
      dbosText += (rows.rows[0] as { t: string }).t;
    }
    const stored = { rows: [{ t: dbosText }] };
    const events = await cluster.query(
      state.name,
      `SELECT coalesce(string_agg(event::text, ' '), '') AS t FROM rapidbyte.cluster_events`,
    );
    const texts = [
      ['the workflow inputs and outputs', (stored.rows[0] as { t: string }).t],
      ['the event channels', (events.rows[0] as { t: string }).t],
      ['the CLI output', `${b.stdout}${b.stderr}`],
    ];
    expect((stored.rows[0] as { t: string }).t).toContain('${RB_CLUSTER_PW}');
    for (const [what, text] of texts)
      for (const form of leakForms(password)) expect(text?.includes(form), `${what} contain ${form}`).toBe(false);
    for (const w of started) await w.kill9();
  });

  it('kill -9 of the worker running two chains: both are put back on the queue and finish on another worker, equal and without duplicates', async () => {
    // 0.1 s every 1,000 ids: each chain takes ≥ 10 s, so "after a commit, before the end" is a wide window
    const dst = await databases.create('cluster_kill_dst', slowDestinationDdl(['public.t1', 'public.t2']));
    await cluster.psql(
      src.name,
      `DROP TABLE public.t1, public.t2; ${shuffledBigTableSql('public.t1', 100_000)} ${shuffledBigTableSql('public.t2', 100_000)}`,
    );
    // the coordinator runs on a worker of its own; the chains on `ka` (the only chain worker at first)
    const coordinator = startWorker('kc', ['--queues', 'runs']);
    const victim = startWorker('ka', ['--queues', 'chains', '--slots', '2']);
    await Promise.all([waitReady(coordinator, 'kc'), waitReady(victim, 'ka')]);
    const file = writePipelineDoc(
      statePipeline(
        pgPipeline({
          name: 'cluster_kill',
          src,
          dst,
          writeMode: 'append',
          streams: ['public.t1', 'public.t2'].map((name) => ({ name, sync_mode: 'full_refresh' })),
          resources: { parallelism: 2, checkpoint_interval_rows: 10_000, batch_rows: 5000 },
        }),
      ),
    );
    const run = spawnCli(['run', '--cluster', '--json', file]);
    await waitFor(
      'both chains to run on ka and commit',
      async () => {
        const running = (await chains('cluster_kill')).filter((c) => c.worker_id === 'ka' && c.finished_at === null);
        if (running.length < 2) return undefined;
        const committed = (await rowCount(dst, 'public.t1')) > 0 && (await rowCount(dst, 'public.t2')) > 0;
        return committed ? true : undefined;
      },
      { cli: run, timeoutMs: 120_000, intervalMs: 100 },
    );
    // one run per pipeline in the cluster
    const second = await runCli(['run', '--cluster', file]);
    expect(second.code, cliOutput(second)).toBe(1);
    expect(second.stderr).toContain('pipeline cluster_kill already has a run on the cluster');
    const survivor = startWorker('kb', ['--queues', 'chains', '--slots', '2']);
    await waitReady(survivor, 'kb');
    await victim.kill9();
    const result = await run.exited;
    const summary = expectSucceeded(result);
    for (const t of ['public.t1', 'public.t2']) {
      await expectTablesEqual(src, t, dst, t, { rows: 100_000 });
      expect(await duplicateKeys(dst, t)).toEqual([]);
    }
    const rerun = await chains('cluster_kill');
    expect(rerun.map((c) => [c.worker_id, c.executions])).toEqual([
      ['kb', 2],
      ['kb', 2],
    ]);
    expect(summary.streams.every((s) => s.attempts >= 2)).toBe(true);
    const [history] = expectJson<RunsJson[]>(await runCli(['runs', '--json', '--pipeline', file, '--limit', '1']));
    expect(history?.status).toBe('succeeded');
    for (const t of ['public.t1', 'public.t2'])
      expect(
        history?.transitions.some(
          (tr) => tr.stream === t && /re-run on worker kb after worker ka was lost/.test(tr.reason ?? ''),
        ),
        JSON.stringify(history?.transitions),
      ).toBe(true);
    const listed = expectJson<{ workerId: string; status: string }[]>(
      await runCli(['workers', '--json', '--state', state.url]),
    );
    expect(listed.find((w) => w.workerId === 'ka')?.status).toBe('lost');
    await Promise.all([coordinator.kill9(), survivor.kill9()]);
  });
});

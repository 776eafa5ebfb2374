// A CDC follower on the cluster (see docs/architecture.md#cluster): the replication hub and its CDC
// streams run in the coordinator's worker; when that worker is killed (-9) under a write load, its
// run's workflow is put back on the queue and re-run by another worker, which resumes from the
// destination watermark (the slot kept every change): nothing lost, nothing applied twice.
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  pgPipeline,
  runCli,
  spawnCli,
  startWorker,
  testPg,
  waitFor,
  workerReady,
  writePipelineDoc,
  type SpawnedCli,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const workers: SpawnedCli[] = [];

afterAll(async () => {
  for (const w of workers) await w.kill9();
  await scope.dropAll();
});

/** Inserts, updates and deletes in small transactions until stopped. */
function writeLoad(db: TestDatabase, table: string): { stop: () => Promise<number> } {
  let running = true;
  let count = 0;
  const done = (async () => {
    for (let i = 0; running; i++) {
      await cluster.query(
        db.name,
        `INSERT INTO ${table} (id, v) SELECT g, 0 FROM generate_series($1::int, $1::int + 9) g`,
        [(1000 + i) * 10],
      );
      await cluster.query(db.name, `UPDATE ${table} SET v = v + 1 WHERE id = $1`, [((i * 37) % 1000) + 1]);
      if (i % 4 === 0) await cluster.query(db.name, `DELETE FROM ${table} WHERE id = $1`, [(1000 + i) * 10 + 3]);
      count++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return count;
    },
  };
}

describe('cluster: CDC follower', () => {
  it('kill -9 of the worker running the follower under a write load: another worker takes the run over from the watermark, nothing lost or doubled', async () => {
    const state = await scope.create('ccdc_state');
    const src = await scope.create(
      'ccdc_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 1000) g;
       CREATE TABLE public.evlog (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.evlog SELECT g, 0 FROM generate_series(1, 1000) g;`,
    );
    const dst = await scope.create('ccdc_dst');
    const file = writePipelineDoc({
      ...pgPipeline({
        name: 'ccdc',
        src,
        dst,
        streams: [
          { name: 'public.ev', sync_mode: 'cdc' },
          // a change log of its table: a change applied twice would show there
          { name: 'public.evlog', sync_mode: 'cdc', write_mode: 'append' },
        ],
        writeMode: 'upsert',
        resources: { batch_rows: 5000 },
      }),
      state: { backend: 'postgres', connection: state.url },
    });
    const start = (id: string): SpawnedCli =>
      startWorker(state.url, { id, slots: 1, env: { RAPIDBYTE_TEST_LEASE_TIMEOUT_MS: '3000' } }, workers);
    const byId = new Map([
      ['cdc1', start('cdc1')],
      ['cdc2', start('cdc2')],
    ]);
    for (const [id, w] of byId) await workerReady(w, id);
    expectSucceeded(await runCli(['run', '--cluster', '--json', file]));

    const load = writeLoad(src, 'ev');
    const logLoad = writeLoad(src, 'evlog');
    const follow = spawnCli(['run', '--cluster', '--follow', '--json', file], { timeoutMs: 300_000 });
    const committedBeyond = async (n: number): Promise<true | undefined> => {
      const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM evlog WHERE id > 10000`);
      return (r.rows[0] as { n: number }).n > n ? true : undefined;
    };
    await waitFor('the follower to commit changes', () => committedBeyond(200), { cli: follow, intervalMs: 200 });
    const owner = await cluster.query(
      state.name,
      `SELECT executor_id FROM rapidbyte_dbos.workflow_status WHERE workflow_uuid LIKE 'run:ccdc:%' AND status = 'PENDING'`,
    );
    const victimId = (owner.rows[0] as { executor_id: string }).executor_id;
    const survivorId = victimId === 'cdc1' ? 'cdc2' : 'cdc1';
    await byId.get(victimId)?.kill9();
    const before = (
      (await cluster.query(dst.name, `SELECT count(*)::int AS n FROM evlog WHERE id > 10000`)).rows[0] as { n: number }
    ).n;
    // the survivor re-runs the run's workflow and follows on from the watermark
    await waitFor(
      `the follower to resume on ${survivorId}`,
      async () => {
        const r = await cluster.query(
          state.name,
          `SELECT executor_id FROM rapidbyte_dbos.workflow_status WHERE workflow_uuid LIKE 'run:ccdc:%' AND status = 'PENDING'`,
        );
        if ((r.rows[0] as { executor_id?: string } | undefined)?.executor_id !== survivorId) return undefined;
        return committedBeyond(before + 100);
      },
      { cli: follow, intervalMs: 200, timeoutMs: 90_000 },
    );
    const writes = await load.stop();
    await logLoad.stop();
    expect(writes).toBeGreaterThan(20);
    // `stop --cluster <run>`: the coordinator drains (commits, acknowledges) and the run ends succeeded
    const running = await cluster.query(
      state.name,
      `SELECT run_id::int AS id FROM rapidbyte.runs WHERE pipeline = 'ccdc' AND status = 'running'`,
    );
    const runId = (running.rows[0] as { id: number }).id;
    const stopped = await runCli(['stop', '--cluster', '--state', state.url, String(runId)]);
    expect(stopped.code, cliOutput(stopped)).toBe(0);
    expect(stopped.stdout).toContain(`run ${runId} of ccdc: stopping`);
    const followed = await follow.exited;
    expect(followed.code, cliOutput(followed)).toBe(0);
    expect(followed.stderr).toContain(`coordinator on worker ${survivorId}`);
    await waitFor('the pipeline lock to be released', async () => {
      const r = await cluster.query(
        state.name,
        `SELECT count(*)::int AS n FROM rapidbyte.pipeline_locks WHERE pipeline = 'ccdc'`,
      );
      return (r.rows[0] as { n: number }).n === 0 ? true : undefined;
    });
    // what the WAL still holds is applied by one more run
    expectSucceeded(await runCli(['run', '--cluster', '--json', file]));
    await expectTablesEqual(src, 'ev', dst, 'ev');
    const doubled = await cluster.query(
      dst.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM evlog GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(doubled.rows).toEqual([]);
    await cluster.psql(
      dst.name,
      `CREATE TABLE evlog_replayed AS SELECT id, v FROM (SELECT DISTINCT ON (id) * FROM evlog ORDER BY id, _rb_lsn DESC, (_rb_op <> 'r') DESC) last WHERE _rb_op <> 'D'`,
    );
    const diff = await cluster.compareTables(src.url, 'evlog', dst.url, 'evlog_replayed');
    expect([diff.onlyInSource, diff.onlyInDestination]).toEqual([[], []]);
  });
});

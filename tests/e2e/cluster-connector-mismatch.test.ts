// A worker whose connector build differs from the submitter's refuses the job (see
// docs/architecture.md#cluster): an old worker never runs a new pipeline with old connectors.
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  databaseScope,
  parseJson,
  pgPipeline,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  testPg,
  waitFor,
  writePipelineDoc,
  type SpawnedCli,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const workers: SpawnedCli[] = [];

afterAll(async () => {
  for (const w of workers) await w.kill9();
  await scope.dropAll();
});

describe('cluster: connector builds are checked by hash', () => {
  it('a worker with another build of dest-postgres refuses the run, naming the connector and the worker; nothing is written', async () => {
    const state = await scope.create('cmis_state');
    const src = await scope.create('cmis_src', shuffledBigTableSql('public.t1', 1_000));
    const dst = await scope.create('cmis_dst');
    // the same connector, one byte different in its component files
    const other = mkdtempSync(join(tmpdir(), 'rb-connectors-'));
    cpSync(join(REPO_ROOT, 'connectors', 'dest-postgres'), join(other, 'dest-postgres'), {
      recursive: true,
      filter: (path) => !path.includes('node_modules'),
    });
    appendFileSync(join(other, 'dest-postgres', 'build', 'bindings', 'connector.js'), '\n// another build\n');
    const worker = spawnCli(['worker', '--state', state.url, '--worker-id', 'old1', '--slots', '1'], {
      env: { RAPIDBYTE_CONNECTORS_PATH: other },
      timeoutMs: 300_000,
    });
    workers.push(worker);
    await waitFor('the worker', async () => (worker.stderrSoFar().includes('worker old1 ready') ? true : undefined), {
      cli: worker,
      timeoutMs: 60_000,
    });
    const file = writePipelineDoc({
      ...pgPipeline({ name: 'cmis', src, dst, streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }] }),
      state: { backend: 'postgres', connection: state.url },
    });
    // the worker's coordinator loads the pipeline first: it refuses the whole run, a config error
    const result = await runCli(['run', '--cluster', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(
      /connector 'dest-postgres' on worker old1 .* has sha256 [0-9a-f]{12}, the run was submitted with [0-9a-f]{12}: deploy the same connector build on every worker/,
    );
    expect(result.stderr).toContain(file);
    const tables = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't1'`);
    expect((tables.rows[0] as { n: number }).n).toBe(0);
  });

  it('a chain taken by such a worker fails its stream with the same refusal, exit 2; the run is recorded failed', async () => {
    const state = await scope.create('cmis2_state');
    const src = await scope.create('cmis2_src', shuffledBigTableSql('public.t1', 1_000));
    const dst = await scope.create('cmis2_dst');
    const other = mkdtempSync(join(tmpdir(), 'rb-connectors-'));
    cpSync(join(REPO_ROOT, 'connectors', 'dest-postgres'), join(other, 'dest-postgres'), {
      recursive: true,
      filter: (path) => !path.includes('node_modules'),
    });
    appendFileSync(join(other, 'dest-postgres', 'build', 'bindings', 'connector.js'), '\n// another build\n');
    const coordinator = spawnCli(['worker', '--state', state.url, '--worker-id', 'new1', '--queues', 'runs'], {
      timeoutMs: 300_000,
    });
    const old = spawnCli(['worker', '--state', state.url, '--worker-id', 'old2', '--queues', 'chains'], {
      env: { RAPIDBYTE_CONNECTORS_PATH: other },
      timeoutMs: 300_000,
    });
    workers.push(coordinator, old);
    for (const [w, id] of [
      [coordinator, 'new1'],
      [old, 'old2'],
    ] as const)
      await waitFor(`worker ${id}`, async () => (w.stderrSoFar().includes(`worker ${id} ready`) ? true : undefined), {
        cli: w,
        timeoutMs: 60_000,
      });
    const file = writePipelineDoc({
      ...pgPipeline({ name: 'cmis2', src, dst, streams: [{ name: 'public.t1', sync_mode: 'full_refresh' }] }),
      state: { backend: 'postgres', connection: state.url },
    });
    const result = await runCli(['run', '--cluster', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
    const json = parseJson(result);
    expect(json.status).toBe('failed');
    expect(json.streams[0]?.error?.code).toBe('CONFIG_INVALID');
    expect(json.streams[0]?.error?.message).toMatch(
      /worker old2: .*connector 'dest-postgres' on worker old2 .* deploy the same connector build on every worker/,
    );
    const tables = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't1'`);
    expect((tables.rows[0] as { n: number }).n).toBe(0);
  });
});

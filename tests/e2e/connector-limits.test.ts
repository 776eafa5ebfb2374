// A connector is third-party code: one that never returns from a step, or grows its memory
// without bound, fails its own stream (CONNECTOR_TIMEOUT / CONNECTOR_MEMORY_EXCEEDED) within
// resources.connector_step_timeout / connector_memory; the run's other streams load, the run exits 5.
// One whose memory only creeps up with every call (as the guest runtime's does) is recycled after a
// commit instead, and its stream completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  REPO_ROOT,
  runCli,
  streamNamed,
  testPg,
  writePipeline,
  type CliResult,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
/** source-postgres, except for the streams its `misbehave` config names (spin / allocate). */
const PROBE = join(REPO_ROOT, 'tests/fixtures/connectors/limits-probe');

describe('connector limits', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'limits_src',
      `
      CREATE TABLE public.good (id int PRIMARY KEY, label text NOT NULL);
      INSERT INTO public.good SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
      CREATE TABLE public.stuck (id int PRIMARY KEY);
      INSERT INTO public.stuck VALUES (1);
      CREATE TABLE public.hog (id int PRIMARY KEY);
      INSERT INTO public.hog VALUES (1);
      CREATE TABLE public.leaky (id int PRIMARY KEY, label text NOT NULL);
      INSERT INTO public.leaky SELECT g, 'row ' || g FROM generate_series(1, 60000) g;
    `,
    );
  });
  afterAll(() => databases.dropAll());

  /** A run of `good` beside `bad`, which the probe misbehaves on as `misbehaviour`. */
  async function runBeside(
    bad: string,
    misbehaviour: 'spin' | 'allocate',
    dst: TestDatabase,
  ): Promise<{ result: CliResult; run: RunJson; seconds: number }> {
    const file = writePipeline(`version: "1.0"
pipeline: limits_${misbehaviour}
source:
  use: ${JSON.stringify(PROBE)}
  config: { url: "${src.url}", misbehave: { ${bad}: ${misbehaviour} } }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
    - { name: public.good, sync_mode: full_refresh }
    - { name: ${bad}, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { connector_step_timeout: 3s, connector_memory: 64mb, max_retries: 3, parallelism: 2 }
`);
    const t0 = performance.now();
    const result = await runCli(['run', file, '--json'], { timeoutMs: 90_000 });
    const seconds = (performance.now() - t0) / 1000;
    return { result, run: parseJson<RunJson>(result), seconds };
  }

  it('a source that never returns from a step fails its stream with CONNECTOR_TIMEOUT (one retry), the sibling loads, exit 5', async () => {
    const dst = await databases.create('limits_spin_dst');
    const { result, run, seconds } = await runBeside('public.stuck', 'spin', dst);
    expect(result.code, result.stderr).toBe(5);
    const stuck = streamNamed(run, 'public.stuck');
    expect(stuck.status).toBe('failed');
    expect(stuck.error?.code).toBe('CONNECTOR_TIMEOUT');
    expect(stuck.error?.kind).toBe('permanent');
    expect(stuck.error?.message).toContain('connector_step_timeout');
    expect(stuck.error?.message).toContain('public.stuck');
    // retried once like a transient error, then given up (not max_retries 3 times)
    expect(stuck.attempts).toBe(2);
    const good = streamNamed(run, 'public.good');
    expect(good.status).toBe('succeeded');
    expect(good.rowsWritten).toBe(5000);
    const diff = await cluster.compareTables(src.url, 'good', dst.url, 'good');
    expect(diff.equal, JSON.stringify(diff)).toBe(true);
    // two attempts of 3 s each plus start-up and one backoff: far below the 60 s default
    expect(seconds).toBeLessThan(40);
    // the source application's own writes still work
    await cluster.psql(
      src.name,
      `INSERT INTO public.good VALUES (5001, 'after'); UPDATE public.good SET label = 'changed' WHERE id = 1; DELETE FROM public.good WHERE id = 2;`,
    );
    expect((await cluster.query(src.name, 'SELECT count(*)::int AS n FROM public.good')).rows[0].n).toBe(5000);
  });

  it('a source that allocates without bound fails its stream with CONNECTOR_MEMORY_EXCEEDED, the sibling loads, exit 5', async () => {
    const dst = await databases.create('limits_hog_dst');
    const { result, run } = await runBeside('public.hog', 'allocate', dst);
    expect(result.code, result.stderr).toBe(5);
    const hog = streamNamed(run, 'public.hog');
    expect(hog.status).toBe('failed');
    expect(hog.error?.code).toBe('CONNECTOR_MEMORY_EXCEEDED');
    expect(hog.error?.kind).toBe('permanent');
    expect(hog.error?.message).toContain('connector_memory');
    expect(hog.error?.message).toContain('64 MiB');
    expect(hog.attempts).toBe(1);
    const good = streamNamed(run, 'public.good');
    expect(good.status).toBe('succeeded');
    expect(good.rowsWritten).toBe(5000);
    const diff = await cluster.compareTables(src.url, 'good', dst.url, 'good');
    expect(diff.equal, JSON.stringify(diff)).toBe(true);
  });

  it('a connector whose memory grows with every call is recycled after a commit instead of failing at the ceiling: the stream completes, equal', async () => {
    const dst = await databases.create('limits_leak_dst');
    // 1 MiB kept per request: a full pass would take the guest far past 64 MiB
    const file = writePipeline(`version: "1.0"
pipeline: limits_leak
source:
  use: ${JSON.stringify(PROBE)}
  config: { url: "${src.url}", misbehave: { public.leaky: leak } }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
    - { name: public.leaky, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
resources: { connector_memory: 64mb, max_retries: 2, batch_rows: 500, checkpoint_interval_rows: 2000 }
`);
    const result = await runCli(['run', file, '--json'], { timeoutMs: 180_000 });
    expect(result.code, result.stderr).toBe(0);
    const leaky = streamNamed(parseJson<RunJson>(result), 'public.leaky');
    expect(leaky.status).toBe('succeeded');
    // recycled more often than max_retries allows failures in a row: each recycle followed a commit
    expect(leaky.attempts).toBeGreaterThan(3);
    expect(result.stderr).toContain('CONNECTOR_MEMORY_RECYCLED');
    expect(result.stderr).not.toContain('CONNECTOR_MEMORY_EXCEEDED');
    const diff = await cluster.compareTables(src.url, 'leaky', dst.url, 'leaky');
    expect(diff.equal, JSON.stringify(diff)).toBe(true);
    expect(
      (await cluster.query(dst.name, 'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM public.leaky'))
        .rows[0],
    ).toEqual({ n: 60000, d: 60000 });
  });
});

// A `--follow` run lives for months: its retry budget (`resources.max_retries`) is spent by
// consecutive failures only. An attempt that committed a checkpoint before it failed gives the
// stream its whole budget back (logged), so a follower survives more transient disconnects over
// its life than `max_retries`, and ends equal to the source.
import { afterAll, describe, expect, it } from 'vitest';
import { pgEndpoint, writePipeline } from '../support/run-cli.js';
import { spawnCli, waitFor } from '../support/spawn-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import type { RunJson } from '../support/run-json.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

async function count(db: TestDatabase, where = 'true'): Promise<number> {
  const r = await cluster
    .query(db.name, `SELECT count(*)::int AS n FROM public.ev WHERE ${where}`)
    .catch(() => undefined);
  return r ? (r.rows[0] as { n: number }).n : -1;
}

/** Terminates the follower's destination backends; returns how many. */
async function killDestination(dst: TestDatabase): Promise<number> {
  const r = await cluster.query(
    'postgres',
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'rapidbyte%' AND pid <> pg_backend_pid()`,
    [dst.name],
  );
  return (r.rows[0] as { n: number }).n;
}

describe('--follow retry budget', () => {
  it('a follower survives more destination disconnects than max_retries when it commits between them', async () => {
    const name = 'follow_budget';
    const src = await scope.create(
      `${name}_src`,
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create(`${name}_dst`);
    const file = writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.ev, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
resources: { max_retries: 1 }
`);
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await waitFor('the snapshot', async () => ((await count(dst)) === 100 ? true : undefined), {
      cli: follow,
      intervalMs: 200,
    });

    const KILLS = 3; // more than max_retries + 1: without the reset the second kill ends the stream
    for (let k = 1; k <= KILLS; k++) {
      const killed = await waitFor(
        `a destination backend to kill (${k})`,
        async () => {
          const n = await killDestination(dst);
          return n > 0 ? n : undefined;
        },
        { cli: follow, intervalMs: 100 },
      );
      expect(killed).toBeGreaterThan(0);
      // the application keeps writing; the follower can show these rows only through a new attempt
      const first = 1000 * k;
      await cluster.psql(
        src.name,
        `
        INSERT INTO ev SELECT g, ${k} FROM generate_series(${first}, ${first + 49}) g;
        UPDATE ev SET v = v + 10 WHERE id = ${k};
        DELETE FROM ev WHERE id = ${50 + k};`,
      );
      await waitFor(
        `the follower to commit the rows written after kill ${k}`,
        async () => ((await count(dst, `id >= ${first} AND id < ${first + 50}`)) === 50 ? true : undefined),
        { cli: follow, intervalMs: 200, timeoutMs: 60_000 },
      );
    }

    await cluster.psql(
      src.name,
      `INSERT INTO ev SELECT g, 9 FROM generate_series(9000, 9009) g; UPDATE ev SET v = 99 WHERE id = 99;`,
    );
    await waitFor(
      'the follower to catch up',
      async () => {
        const diff = await cluster.compareTables(src.url, 'public.ev', dst.url, 'public.ev');
        return diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0 ? true : undefined;
      },
      { cli: follow, intervalMs: 300, timeoutMs: 60_000 },
    );
    expect(follow.result(), 'the follower is still running').toBeUndefined();

    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as RunJson;
    expect(json.status).toBe('succeeded');
    expect(json.streams[0]?.status).toBe('succeeded');
    expect(json.streams[0]?.attempts).toBeGreaterThanOrEqual(KILLS + 1);
    expect(result.stderr).toMatch(/committed since the last retry: the retry budget \(max_retries 1\) starts again/);
    const diff = await cluster.compareTables(src.url, 'public.ev', dst.url, 'public.ev');
    expect([diff.onlyInSource, diff.onlyInDestination]).toEqual([[], []]);
  });
});

// A CDC follower never stalls silently: streams retried behind the replication hub re-attach
// while the hub restarts (RAPIDBYTE_TEST_FAULT=delay-hub-restart holds the restart open), and
// every change they missed while detached still reaches the destination.
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  spawnCli,
  testPg,
  waitFor,
  writePipeline,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

async function count(db: TestDatabase, table: string): Promise<number | undefined> {
  const r = await cluster.query(db.name, `SELECT count(*)::int AS n FROM ${table}`).catch(() => undefined);
  return r ? (r.rows[0] as { n: number }).n : undefined;
}

async function equal(src: TestDatabase, dst: TestDatabase, table: string): Promise<boolean> {
  const diff = await cluster.compareTables(src.url, table, dst.url, table).catch(() => undefined);
  return diff !== undefined && diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0;
}

describe('cdc --follow: streams re-attaching behind the replication hub', () => {
  it('a stream re-attached while the hub restarts gets no idle progress past the changes it missed: nothing is skipped, the follower catches up', async () => {
    const src = await scope.create(
      'cdc_reattach_src',
      `CREATE TABLE public.ev (id int PRIMARY KEY, v int NOT NULL); INSERT INTO public.ev SELECT g, 0 FROM generate_series(1, 100) g;
CREATE TABLE public.ev2 (id int PRIMARY KEY, v int NOT NULL);`,
    );
    const dst = await scope.create('cdc_reattach_dst');
    const file = writePipeline(`version: "1.0"
pipeline: cdc_reattach
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.ev, sync_mode: cdc }
    - { name: public.ev2, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
resources: { batch_rows: 5000 }
`);
    // each restart of the hub waits 4 s: several status intervals of the hub pass meanwhile
    const follow = spawnCli(['run', '--follow', '--json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'delay-hub-restart:4000' },
    });
    await waitFor(
      'the snapshot',
      async () => ((await count(dst, 'ev')) === 100 && (await count(dst, 'ev2')) === 0 ? true : undefined),
      { cli: follow, intervalMs: 200 },
    );
    await cluster.psql(src.name, `INSERT INTO ev SELECT g, 1 FROM generate_series(101, 110) g;`);
    await waitFor('the first changes', async () => ((await count(dst, 'ev')) === 110 ? true : undefined), {
      cli: follow,
      intervalMs: 200,
    });

    // kill the destination's connections: both streams fail at their next write and are retried
    const killed = await cluster.query(
      'postgres',
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [dst.name],
    );
    expect((killed.rows[0] as { n: number }).n).toBeGreaterThan(0);
    await cluster.psql(
      src.name,
      `INSERT INTO ev SELECT g, 2 FROM generate_series(111, 150) g; UPDATE ev SET v = 7 WHERE id <= 10; DELETE FROM ev WHERE id = 50;`,
    );
    await cluster.psql(src.name, `INSERT INTO ev2 SELECT g, 1 FROM generate_series(1, 50) g;`);

    await waitFor(
      'the follower to catch up after the retries',
      async () => ((await equal(src, dst, 'ev')) && (await equal(src, dst, 'ev2')) ? true : undefined),
      {
        cli: follow,
        intervalMs: 500,
        timeoutMs: 60_000,
      },
    );
    // the source application's own writes go on, and the follower keeps up with them
    await cluster.psql(
      src.name,
      `INSERT INTO ev VALUES (1000, 1); UPDATE ev SET v = 99 WHERE id = 1; DELETE FROM ev WHERE id = 2; INSERT INTO ev2 VALUES (1000, 1); UPDATE ev2 SET v = 9 WHERE id = 1; DELETE FROM ev2 WHERE id = 2;`,
    );
    await waitFor(
      'the later changes',
      async () => ((await equal(src, dst, 'ev')) && (await equal(src, dst, 'ev2')) ? true : undefined),
      {
        cli: follow,
        intervalMs: 500,
        timeoutMs: 60_000,
      },
    );

    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<RunJson>(result);
    for (const stream of ['public.ev', 'public.ev2']) {
      const s = json.streams.find((x) => x.stream === stream);
      expect(s?.status, stream).toBe('succeeded');
      expect(s?.attempts, stream).toBeGreaterThan(1);
    }
    for (const table of ['ev', 'ev2']) {
      const diff = await cluster.compareTables(src.url, table, dst.url, table);
      expect(diff.onlyInSource, `${table}: rows only in the source`).toEqual([]);
      expect(diff.onlyInDestination, `${table}: rows only in the destination`).toEqual([]);
    }
    // the slot is never acknowledged past what the destination committed
    const slot = await cluster.query(
      src.name,
      `SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = 'rapidbyte_cdc_reattach'`,
    );
    const confirmed = (slot.rows[0] as { c: string }).c;
    const marks = await cluster.query(
      dst.name,
      `SELECT min((payload->>'lsn')::pg_lsn)::text AS l FROM public._rb_watermarks WHERE pipeline = 'cdc_reattach' AND stream IN ('public.ev', 'public.ev2')`,
    );
    const lowest = (marks.rows[0] as { l: string }).l;
    const ahead = await cluster.query(src.name, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d`, [
      confirmed,
      lowest,
    ]);
    expect(Number((ahead.rows[0] as { d: number }).d)).toBeLessThanOrEqual(0);
  });
});

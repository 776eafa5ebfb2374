// CDC streams of one source (see docs/architecture.md#change-data-capture): a stream added to a running CDC pipeline is snapshotted
// (temporary slot) without losing or doubling its changes while the table is written; `state reset
// --stream` re-syncs that stream alone; partitioned tables through CDC (published via the root,
// rows moving between partitions), views and partitioned tables for full_refresh/incremental; a
// relation that changed shape evolves the destination (or is refused by schema_evolution); three --follow streams at parallelism 1 all move.
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  editPipeline,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  runSucceeded,
  spawnCli,
  streamNamed,
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

function pipeline(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  streams: string[];
  parallelism?: number;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
${o.streams.map((s) => `    - ${s}`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: upsert
resources: { batch_rows: 2000${o.parallelism ? `, parallelism: ${o.parallelism}` : ''} }
`);
}

describe('streams of a CDC source', () => {
  it('a stream added under write load is snapshotted without losing or doubling changes; state reset --stream re-syncs it alone', async () => {
    const src = await scope.create(
      'cdc_add_src',
      `CREATE TABLE public.a (id int PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.b (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO public.a SELECT g, 0 FROM generate_series(1, 1000) g;
INSERT INTO public.b SELECT g, 0 FROM generate_series(1, 50000) g;`,
    );
    const dst = await scope.create('cdc_add_dst');
    const one = pipeline({ name: 'cdc_add', src, dst, streams: ['{ name: public.a, sync_mode: cdc }'] });
    await runSucceeded(one);
    let writing = true;
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        await cluster.query(src.name, `UPDATE b SET v = v + 1 WHERE id = $1`, [((i * 7919) % 50000) + 1]);
        await cluster.query(src.name, `INSERT INTO b VALUES ($1, 1)`, [100000 + i]);
        await cluster.query(src.name, `UPDATE a SET v = v + 1 WHERE id = $1`, [(i % 1000) + 1]);
      }
    })();
    // the same pipeline (same slot and state) with a second stream, b, as a change log (doubles would show)
    editPipeline(one, (p) => p.source.streams.push({ name: 'public.b', sync_mode: 'cdc', write_mode: 'append' }));
    let added: RunJson;
    try {
      added = await runSucceeded(one);
    } finally {
      writing = false;
      await writer;
    }
    expect(streamNamed(added, 'public.b').rowsWritten).toBeGreaterThanOrEqual(50000);
    await runSucceeded(one);
    await expectTablesEqual(src, 'a', dst, 'a');
    const dup = await cluster.query(
      dst.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM b GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(dup.rows).toEqual([]);
    await cluster.psql(
      dst.name,
      `CREATE TABLE b_replayed AS SELECT id, v FROM (SELECT DISTINCT ON (id) * FROM b ORDER BY id, _rb_lsn DESC, (_rb_op <> 'r') DESC) last WHERE _rb_op <> 'D'`,
    );
    await expectTablesEqual(src, 'b', dst, 'b_replayed');

    // reset a alone: it is re-snapshotted (upsert: the table is replaced), b just goes on
    await cluster.psql(src.name, `UPDATE a SET v = -1 WHERE id = 1; DELETE FROM a WHERE id = 2;`);
    const reset = await runCli(['state', 'reset', one, '--stream', 'public.a']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).not.toContain('dropped replication slot');
    await cluster.psql(src.name, `INSERT INTO b VALUES (999999, 9);`);
    const after = await runSucceeded(one);
    expect(streamNamed(after, 'public.a').rowsWritten).toBe(999);
    expect(streamNamed(after, 'public.b').rowsWritten).toBe(1);
    await expectTablesEqual(src, 'a', dst, 'a');
  });

  it('partitioned tables through CDC (rows moving between partitions), views and partitioned tables for full_refresh and incremental', async () => {
    const src = await scope.create(
      'cdc_part_src',
      `CREATE TABLE public.m (id int, region text, v int, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE public.m_eu PARTITION OF public.m FOR VALUES IN ('eu');
CREATE TABLE public.m_us PARTITION OF public.m FOR VALUES IN ('us');
INSERT INTO public.m (id, region, v) SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(1, 100) g;
CREATE VIEW public.m_big AS SELECT id, region, v FROM public.m WHERE v > 50;
CREATE TABLE public.n (id int, region text, v int, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE public.n_eu PARTITION OF public.n FOR VALUES IN ('eu');
CREATE TABLE public.n_us PARTITION OF public.n FOR VALUES IN ('us');
INSERT INTO public.n SELECT * FROM public.m;`,
    );
    const dst = await scope.create('cdc_part_dst');
    const file = pipeline({
      name: 'cdc_part',
      src,
      dst,
      streams: [
        '{ name: public.m, sync_mode: cdc }',
        '{ name: public.m_big, sync_mode: full_refresh, write_mode: replace }',
        '{ name: public.n, sync_mode: incremental, cursor_field: updated_at }',
      ],
    });
    await runSucceeded(file);
    await cluster.psql(
      src.name,
      `
INSERT INTO m (id, region, v) VALUES (101, 'eu', 101), (102, 'us', 102);
UPDATE m SET region = 'us', updated_at = now() WHERE id = 2;
UPDATE m SET v = 1000, updated_at = now() WHERE id = 3;
DELETE FROM m WHERE id = 4;
INSERT INTO n (id, region, v) VALUES (101, 'eu', 101);
UPDATE n SET region = 'us', updated_at = now() + interval '1 second' WHERE id = 2;
UPDATE n SET v = 1000, updated_at = now() + interval '1 second' WHERE id = 3;`,
    );
    await runSucceeded(file);
    await expectTablesEqual(src, 'm', dst, 'm');
    await expectTablesEqual(src, 'm_big', dst, 'm_big');
    // incremental by cursor on a partitioned table: a row that moved partition (its key (id, region)
    // changed) arrives as a new row; the old one stays, as incremental cannot see deletes
    const diff = await cluster.compareTables(src.url, 'n', dst.url, 'n');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([{ id: '2', region: 'eu', v: '2', updated_at: expect.any(String) }]);
    const published = await cluster.query(
      src.name,
      `SELECT tablename FROM pg_publication_tables WHERE pubname = 'rapidbyte_cdc_part'`,
    );
    expect(published.rows).toEqual([{ tablename: 'm' }]);
  });

  it('a table that changes shape under a --follow CDC stream: the new column arrives (add), or the stream stops naming it (new_column: fail)', async () => {
    const src = await scope.create(
      'cdc_shape_src',
      `CREATE TABLE public.s (id int PRIMARY KEY, v int); INSERT INTO public.s VALUES (1, 1);`,
    );
    const dst = await scope.create('cdc_shape_dst');
    const file = pipeline({ name: 'cdc_shape', src, dst, streams: ['{ name: public.s, sync_mode: cdc }'] });
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await waitFor(
      'the snapshot',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM s`).catch(() => undefined);
        return r && (r.rows[0] as { n: number }).n === 1 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    await cluster.psql(src.name, `ALTER TABLE s ADD COLUMN nickname text; INSERT INTO s VALUES (2, 2, 'two');`);
    await waitFor(
      'the new column and its value',
      async () => {
        const r = await cluster.query(dst.name, `SELECT nickname FROM s WHERE id = 2`).catch(() => undefined);
        return r && r.rows[0]?.nickname === 'two' ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    process.kill(follow.pid, 'SIGINT');
    expect((await follow.exited).code).toBe(0);
    await expectTablesEqual(src, 's', dst, 's');

    const strictSrc = await scope.create(
      'cdc_shape_fail_src',
      `CREATE TABLE public.s (id int PRIMARY KEY, v int); INSERT INTO public.s VALUES (1, 1);`,
    );
    const strictDst = await scope.create('cdc_shape_fail_dst');
    const strict = pipeline({
      name: 'cdc_shape_fail',
      src: strictSrc,
      dst: strictDst,
      streams: ['{ name: public.s, sync_mode: cdc }'],
    });
    editPipeline(strict, (p) => (p.destination.schema_evolution = { new_column: 'fail' }));
    await runSucceeded(strict);
    await cluster.psql(strictSrc.name, `ALTER TABLE s ADD COLUMN nickname text; INSERT INTO s VALUES (2, 2, 'two');`);
    const failed = await runCli(['run', '--json', strict]);
    expect(failed.code).not.toBe(0);
    const json = parseJson<RunJson>(failed);
    expect(json.streams[0]?.error?.code).toBe('SCHEMA_CHANGE_REFUSED');
    expect(json.streams[0]?.error?.message).toContain('nickname');
    // nothing of the new shape was applied
    expect((await cluster.query(strictDst.name, `SELECT count(*)::int AS n FROM s`)).rows[0]).toEqual({ n: 1 });
  });

  it('cdc.soft_delete marks deleted and truncated rows instead of removing them, cdc.synced_at stamps every write; a missing slot is SLOT_MISSING', async () => {
    const src = await scope.create(
      'cdc_soft_src',
      `CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 10) g;`,
    );
    const dst = await scope.create('cdc_soft_dst');
    const file = pipeline({ name: 'cdc_soft', src, dst, streams: ['{ name: public.t, sync_mode: cdc }'] });
    editPipeline(file, (p) => (p.destination.config.cdc = { soft_delete: true, synced_at: true }));
    await runSucceeded(file);
    await cluster.psql(
      src.name,
      `DELETE FROM t WHERE id IN (1, 2); UPDATE t SET v = 'changed' WHERE id = 3; DELETE FROM t WHERE id = 4; INSERT INTO t VALUES (4, 'back');`,
    );
    await runSucceeded(file);
    const rows = await cluster.query(
      dst.name,
      `SELECT id, v, _rb_deleted_at IS NOT NULL AS deleted, _rb_synced_at IS NOT NULL AS synced FROM t ORDER BY id`,
    );
    expect(rows.rows.slice(0, 4)).toEqual([
      { id: 1, v: 'v1', deleted: true, synced: true },
      { id: 2, v: 'v2', deleted: true, synced: true },
      { id: 3, v: 'changed', deleted: false, synced: true },
      { id: 4, v: 'back', deleted: false, synced: true },
    ]);
    // the live rows equal the source
    await cluster.psql(dst.name, `CREATE VIEW t_live AS SELECT id, v FROM t WHERE _rb_deleted_at IS NULL`);
    await expectTablesEqual(src, 't', dst, 't_live');
    await cluster.psql(src.name, `TRUNCATE t;`);
    await runSucceeded(file);
    expect(
      (await cluster.query(dst.name, `SELECT count(*)::int AS n FROM t WHERE _rb_deleted_at IS NULL`)).rows[0],
    ).toEqual({ n: 0 });
    expect((await cluster.query(dst.name, `SELECT count(*)::int AS n FROM t`)).rows[0]).toEqual({ n: 10 });
    // the slot disappears behind our back: never a silent re-snapshot
    await cluster.query(src.name, `SELECT pg_drop_replication_slot('rapidbyte_cdc_soft')`);
    const failed = await runCli(['run', '--json', file]);
    expect(failed.code).not.toBe(0);
    const json = parseJson<RunJson>(failed);
    expect(json.streams[0]?.error?.code).toBe('SLOT_MISSING');
    expect(json.streams[0]?.error?.message).toContain('rapidbyte state reset');
  });

  it('three --follow CDC streams at parallelism 1 all make progress, beside a batch stream', async () => {
    const ddl = ['x', 'y', 'z'].map((t) => `CREATE TABLE public.${t} (id int PRIMARY KEY, v int);`).join('\n');
    const src = await scope.create(
      'cdc_three_src',
      `${ddl}\nCREATE TABLE public.batch (id int PRIMARY KEY); INSERT INTO public.batch SELECT generate_series(1, 10);`,
    );
    const dst = await scope.create('cdc_three_dst');
    const file = pipeline({
      name: 'cdc_three',
      src,
      dst,
      parallelism: 1,
      streams: [
        '{ name: public.x, sync_mode: cdc }',
        '{ name: public.y, sync_mode: cdc }',
        '{ name: public.z, sync_mode: cdc }',
        '{ name: public.batch, sync_mode: full_refresh, write_mode: replace }',
      ],
    });
    const follow = spawnCli(['run', '--follow', '--json', file]);
    await waitFor(
      'the batch stream',
      async () => {
        const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM batch`).catch(() => undefined);
        return r && (r.rows[0] as { n: number }).n === 10 ? true : undefined;
      },
      { cli: follow, intervalMs: 200 },
    );
    for (const t of ['x', 'y', 'z']) await cluster.query(src.name, `INSERT INTO ${t} SELECT generate_series(1, 25), 1`);
    await waitFor(
      'all three CDC streams',
      async () => {
        const counts = await Promise.all(
          ['x', 'y', 'z'].map(async (t) => {
            const r = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ${t}`).catch(() => undefined);
            return r ? (r.rows[0] as { n: number }).n : 0;
          }),
        );
        return counts.every((n) => n === 25) ? true : undefined;
      },
      { cli: follow, intervalMs: 200, timeoutMs: 60_000 },
    );
    process.kill(follow.pid, 'SIGINT');
    const result = await follow.exited;
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<RunJson>(result);
    expect(json.streams.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });
});

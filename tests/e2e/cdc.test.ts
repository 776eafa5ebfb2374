// CDC from PostgreSQL logical replication (see docs/architecture.md#change-data-capture): snapshot then stream through one
// slot per source; inserts, updates (also of the key), deletes and truncates applied in commit
// order; unchanged TOAST values kept under REPLICA IDENTITY DEFAULT and FULL; the type table
// through CDC; writes during the snapshot neither lost nor doubled; a table without a key is
// refused before it is published; an idle source exits promptly and its slot still advances.
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  runSucceeded,
  testPg,
  writePipeline,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await dropSlots();
  await scope.dropAll();
});

/** Drops every replication slot of the cluster that is not in use (a database with a slot cannot be dropped). */
async function dropSlots(): Promise<void> {}

interface StreamSpec {
  readonly table: string;
  readonly extra?: string;
}

function cdcPipeline(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  streams: readonly StreamSpec[];
  writeMode?: 'upsert' | 'append';
  destExtra?: string;
  sourceExtra?: string;
}): string {
  const streams = o.streams
    .map((s) => `    - { name: ${s.table}, sync_mode: cdc${s.extra ? `, ${s.extra}` : ''} }`)
    .join('\n');
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url, o.sourceExtra ?? '')}
  streams:
${streams}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url, o.destExtra ?? '')}
  write_mode: ${o.writeMode ?? 'upsert'}
resources: { batch_rows: 1000 }
`);
}

async function slotRow(db: TestDatabase, slot: string): Promise<{ confirmed: string; walStatus: string } | undefined> {
  const r = await cluster.query(
    db.name,
    `SELECT confirmed_flush_lsn::text AS confirmed, wal_status FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = r.rows[0] as { confirmed: string; wal_status: string } | undefined;
  return row ? { confirmed: row.confirmed, walStatus: row.wal_status } : undefined;
}

async function lsnDiff(db: TestDatabase, a: string, b: string): Promise<number> {
  const r = await cluster.query(db.name, `SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d`, [a, b]);
  return Number((r.rows[0] as { d: number }).d);
}

/** 10 kB of random hex, stored out of line uncompressed (STORAGE EXTERNAL) so it is TOASTed. */
const BIG = `(SELECT string_agg(md5(random()::text || g::text), '') FROM generate_series(1, 320) g)`;

const ITEMS_DDL = (table: string, identity: 'DEFAULT' | 'FULL'): string => `
CREATE TABLE public.${table} (id int PRIMARY KEY, name text NOT NULL, big text, n int);
ALTER TABLE public.${table} ALTER COLUMN big SET STORAGE EXTERNAL;
ALTER TABLE public.${table} REPLICA IDENTITY ${identity};
INSERT INTO public.${table} SELECT g, 'item ' || g, ${BIG}, g FROM generate_series(1, 5) g;`;

describe('cdc × upsert applies every kind of change in commit order', () => {
  it('insert/update/delete/truncate, one key changed three times in one transaction, delete then re-insert, key update, unchanged TOAST under both identities', async () => {
    const src = await scope.create(
      'cdc_apply_src',
      `${ITEMS_DDL('items', 'DEFAULT')}\n${ITEMS_DDL('items_full', 'FULL')}`,
    );
    const dst = await scope.create('cdc_apply_dst');
    const file = cdcPipeline({
      name: 'cdc_apply',
      src,
      dst,
      streams: [{ table: 'public.items' }, { table: 'public.items_full' }],
    });
    const bothEqual = async (): Promise<void> => {
      await runSucceeded(file);
      await expectTablesEqual(src, 'items', dst, 'items');
      await expectTablesEqual(src, 'items_full', dst, 'items_full');
    };

    // first run: the snapshot
    const first = await runSucceeded(file);
    expect(first.streams.map((s) => s.stream).sort()).toEqual(['public.items', 'public.items_full']);
    await expectTablesEqual(src, 'items', dst, 'items');
    const cols = await cluster.query(
      dst.name,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position`,
    );
    expect(cols.rows.map((r: { column_name: string }) => r.column_name)).toEqual(['id', 'name', 'big', 'n']);

    for (const t of ['items', 'items_full']) {
      await cluster.psql(
        src.name,
        `
INSERT INTO ${t} VALUES (6, 'six', NULL, 6), (7, 'seven', ${BIG}, 7);
UPDATE ${t} SET name = 'two!' WHERE id = 2;
DELETE FROM ${t} WHERE id = 3;`,
      );
    }
    await bothEqual();

    for (const t of ['items', 'items_full']) {
      await cluster.psql(
        src.name,
        `
BEGIN; INSERT INTO ${t} VALUES (10, 'ten', ${BIG}, 10); UPDATE ${t} SET name = 'ten!', n = 11 WHERE id = 10; DELETE FROM ${t} WHERE id = 10; COMMIT;
BEGIN; INSERT INTO ${t} VALUES (11, 'eleven', ${BIG}, 11); UPDATE ${t} SET n = 12 WHERE id = 11; COMMIT;
DELETE FROM ${t} WHERE id = 4;
INSERT INTO ${t} VALUES (4, 'four again', ${BIG}, 44);
BEGIN; DELETE FROM ${t} WHERE id = 6; INSERT INTO ${t} VALUES (6, 'six again', NULL, 66); COMMIT;`,
      );
    }
    await bothEqual();
    const gone = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM items WHERE id = 10`);
    expect((gone.rows[0] as { n: number }).n).toBe(0);

    // primary-key updates (the old key must disappear), and a TOASTed value left unchanged while
    // another column changes; under FULL also a key update that leaves the TOASTed value unchanged
    // (under DEFAULT the source does not send it and the old row is gone: the destination refuses
    // with CDC_UNCHANGED_VALUE_UNKNOWN rather than write NULL)
    await cluster.psql(src.name, `UPDATE items_full SET id = 50 WHERE id = 5;`);
    for (const t of ['items', 'items_full']) {
      await cluster.psql(
        src.name,
        `
UPDATE ${t} SET id = 60 WHERE id = 6;
BEGIN; UPDATE ${t} SET id = 61 WHERE id = 60; UPDATE ${t} SET name = 'sixty-one' WHERE id = 61; COMMIT;
UPDATE ${t} SET n = n + 100 WHERE id IN (1, 7);
BEGIN; UPDATE ${t} SET name = 'one!' WHERE id = 1; UPDATE ${t} SET n = n + 1 WHERE id = 1; COMMIT;`,
      );
    }
    await bothEqual();
    const big = await cluster.query(dst.name, `SELECT length(big) AS len FROM items WHERE id = 1`);
    expect((big.rows[0] as { len: number }).len).toBe(10240);

    // truncate, then new rows after it
    for (const t of ['items', 'items_full'])
      await cluster.psql(src.name, `TRUNCATE ${t}; INSERT INTO ${t} VALUES (100, 'after truncate', ${BIG}, 1);`);
    await bothEqual();
    const n = await cluster.query(dst.name, `SELECT count(*)::int AS n FROM items`);
    expect((n.rows[0] as { n: number }).n).toBe(1);
  });

  it('the type table inserted and updated through CDC equals the source (json as text)', async () => {
    const src = await scope.create('cdc_types_src');
    await cluster.loadFixture(src.name, 'type-fidelity.sql');
    const dst = await scope.create('cdc_types_dst');
    const file = cdcPipeline({ name: 'cdc_types', src, dst, streams: [{ table: 'public."TypeZoo"' }] });
    // the first run snapshots an empty copy: every row then comes through the change stream
    await cluster.psql(src.name, `CREATE TABLE zoo_rows AS SELECT * FROM "TypeZoo"; DELETE FROM "TypeZoo";`);
    await runSucceeded(file);
    await cluster.psql(
      src.name,
      `
INSERT INTO "TypeZoo" SELECT * FROM zoo_rows;
UPDATE "TypeZoo" SET c_text = c_text || ' (updated)', c_numeric = c_numeric / 2 WHERE id % 2 = 0;
INSERT INTO "TypeZoo" SELECT id + 1000, "select", "Order", c_int8, c_numeric, c_numeric_any, c_float4, c_float8, c_bool, c_text, "VarChar", c_char, c_bytea, c_uuid, c_date, c_time, c_timetz, c_timestamp, c_timestamptz, c_interval, c_json, c_jsonb, c_text_arr, c_int4_arr, c_mood, c_inet, c_cidr, c_int4range, c_point FROM zoo_rows;`,
    );
    const run = await runSucceeded(file);
    expect(run.streams[0]?.rowsWritten).toBeGreaterThan(0);
    await expectTablesEqual(src, 'TypeZoo', dst, 'TypeZoo', { castJsonToText: true });
    const types = async (db: TestDatabase): Promise<string[]> =>
      (
        await cluster.query(
          db.name,
          `SELECT attname || ' ' || format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '"TypeZoo"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        )
      ).rows.map((r: { t: string }) => r.t);
    expect(await types(dst)).toEqual(await types(src));
  });
});

describe('cdc snapshot consistency', () => {
  it('writes during the initial snapshot are neither lost nor doubled (upsert and change log)', async () => {
    const src = await scope.create(
      'cdc_snap_src',
      `CREATE TABLE public.busy (id int PRIMARY KEY, v int NOT NULL, pad text);
INSERT INTO public.busy SELECT g, 0, repeat('p', 200) FROM generate_series(1, 200000) g;`,
    );
    const dst = await scope.create('cdc_snap_dst');
    const log = await scope.create('cdc_snap_log');
    const upsert = cdcPipeline({
      name: 'cdc_snap',
      src,
      dst,
      streams: [{ table: 'public.busy' }],
      sourceExtra: ', cdc: { slot_name: cdc_snap_u }',
    });
    const changeLog = cdcPipeline({
      name: 'cdc_snap_log',
      src,
      dst: log,
      streams: [{ table: 'public.busy' }],
      writeMode: 'append',
      sourceExtra: ', cdc: { slot_name: cdc_snap_a, publication_name: cdc_snap_a }',
    });
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        await cluster.query(src.name, `UPDATE busy SET v = v + 1 WHERE id = $1`, [((i * 7919) % 200000) + 1]);
        await cluster.query(src.name, `INSERT INTO busy VALUES ($1, 1, 'new')`, [200000 + i]);
        if (i % 3 === 0) await cluster.query(src.name, `DELETE FROM busy WHERE id = $1`, [((i * 104729) % 200000) + 1]);
        writes++;
      }
    })();
    const runs = await Promise.all([runCli(['run', '--json', upsert]), runCli(['run', '--json', changeLog])]);
    writing = false;
    await writer;
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(writes).toBeGreaterThan(10);
    // the second runs take what was written after the first runs' end positions
    await runSucceeded(upsert);
    await runSucceeded(changeLog);
    await expectTablesEqual(src, 'busy', dst, 'busy');
    // change log: no change twice, and replaying it (last change per key) gives the source
    const dup = await cluster.query(
      log.name,
      `SELECT id, _rb_op, _rb_lsn, count(*) FROM busy GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    );
    expect(dup.rows).toEqual([]);
    await cluster.psql(
      log.name,
      `CREATE TABLE replayed AS SELECT id, v, pad FROM (
         SELECT DISTINCT ON (id) * FROM busy ORDER BY id, _rb_lsn DESC, (_rb_op <> 'r') DESC) last WHERE _rb_op <> 'D'`,
    );
    await expectTablesEqual(src, 'busy', log, 'replayed');
  });
});

describe('cdc preflight and idle sources', () => {
  it('a table without a key is refused before it is added to the publication, in run and check', async () => {
    const src = await scope.create(
      'cdc_nokey_src',
      `CREATE TABLE public.nokey (a int, b text); INSERT INTO public.nokey VALUES (1, 'x');`,
    );
    const dst = await scope.create('cdc_nokey_dst');
    const file = cdcPipeline({ name: 'cdc_nokey', src, dst, streams: [{ table: 'public.nokey' }] });
    const run = await runCli(['run', '--json', file]);
    expect(run.code).not.toBe(0);
    const json = parseJson<RunJson>(run);
    expect(json.streams[0]?.error?.code).toBe('NO_REPLICA_IDENTITY');
    expect(json.streams[0]?.error?.message).toContain('ALTER TABLE "public"."nokey" REPLICA IDENTITY FULL');
    const published = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_publication_tables WHERE tablename = 'nokey'`,
    );
    expect((published.rows[0] as { n: number }).n).toBe(0);
    // the application's own UPDATE still works
    await cluster.query(src.name, `UPDATE nokey SET b = 'y'`);
    const check = await runCli(['check', file]);
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain('REPLICA IDENTITY FULL');
  });

  it('a one-shot run on an idle source exits within seconds, and writes to unpublished tables still advance the slot', async () => {
    const src = await scope.create(
      'cdc_idle_src',
      `CREATE TABLE public.quiet (id int PRIMARY KEY, v text); CREATE TABLE public.noisy (id serial PRIMARY KEY, v text);`,
    );
    const dst = await scope.create('cdc_idle_dst');
    const file = cdcPipeline({ name: 'cdc_idle', src, dst, streams: [{ table: 'public.quiet' }] });
    await runSucceeded(file);
    const before = await slotRow(src, 'rapidbyte_cdc_idle');
    expect(before).toBeDefined();
    await cluster.psql(src.name, `INSERT INTO noisy (v) SELECT repeat('n', 100) FROM generate_series(1, 20000);`);
    const t0 = Date.now();
    const run = await runSucceeded(file);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(run.streams[0]?.lsn).toBeDefined();
    const after = await slotRow(src, 'rapidbyte_cdc_idle');
    expect(await lsnDiff(src, after?.confirmed ?? '0/0', before?.confirmed ?? '0/0')).toBeGreaterThan(1_000_000);
    // the committed LSN is in the state DB and the summary reports the slot lag
    expect(typeof run.streams[0]?.slotLagBytes).toBe('number');
    const state = await runCli(['state', 'show', file, '--json']);
    expect(state.stdout).toContain(run.streams[0]?.lsn ?? 'missing');
  });
});

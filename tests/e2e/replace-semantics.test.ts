// dest-postgres `replace` (connectors/dest-postgres/README.md): a staging table swapped in under
// lock_timeout in one transaction, keeping grants, retrying behind readers, refusing dependent views.
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectSucceededText,
  expectTablesEqual,
  pgEndpoint,
  rowCount,
  runCli,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type TableRef,
  type TestDatabase,
} from '../support/e2e.js';

const testCluster = testPg();
const ITEMS_DDL = (table: string): string =>
  `CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[])`;
const ITEMS_ROWS = (table: string, from: number, to: number): string =>
  `INSERT INTO ${table} SELECT g, 'item ' || g, g * 1.25, ARRAY['t' || (g % 7)] FROM generate_series(${from}, ${to}) g`;

/** A pipeline moving `streams` (`schema.table` names at the source) from `src` to `dst` (schema public). */
function pipeline(src: TestDatabase, dst: TestDatabase, writeMode: string, streams: string[], destExtra = ''): string {
  return writePipeline(`version: "1.0"
pipeline: replace_semantics
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${streams.map((s) => `    - { name: ${JSON.stringify(s)}, sync_mode: full_refresh }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, destExtra)}
  write_mode: ${writeMode}
`);
}

/** Names of leftover staging tables in `db`. */
async function stagingTables(db: TestDatabase): Promise<string[]> {
  const r = await testCluster.query(db.name, `SELECT relname FROM pg_class WHERE relname LIKE '%\\_\\_rb\\_stage'`);
  return r.rows.map((row) => row.relname as string);
}

async function expectEqual(
  src: TestDatabase,
  srcTable: TableRef,
  dst: TestDatabase,
  dstTable: TableRef,
  rows: number,
): Promise<void> {
  await expectTablesEqual(src, srcTable, dst, dstTable, { rows });
}

async function oid(db: TestDatabase, table: string): Promise<string> {
  return String((await testCluster.query(db.name, `SELECT $1::regclass::oid::text AS oid`, [table])).rows[0].oid);
}

describe('dest-postgres replace semantics', () => {
  let src: TestDatabase;

  beforeAll(async () => {
    src = await testCluster.createDatabase('rs_src');
    await testCluster.psql(src.name, `${ITEMS_DDL('items')}; ${ITEMS_ROWS('items', 1, 2000)};`);
  });

  it('keeps the grants of the table it replaces (role and PUBLIC)', async () => {
    const dst = await testCluster.createDatabase('rs_grants');
    const reader = await testCluster.createLoginRole('unused-pw', { prefix: 'rs_reader' });
    await testCluster.psql(
      dst.name,
      `${ITEMS_DDL('items')}; ${ITEMS_ROWS('items', 5001, 5010)};
      GRANT SELECT ON items TO "${reader.user}"; GRANT SELECT ON items TO PUBLIC;`,
    );
    const before = await oid(dst, 'public.items');

    expectSucceededText(await runCli(['run', pipeline(src, dst, 'replace', ['public.items'])]));

    expect(await oid(dst, 'public.items')).not.toBe(before); // really swapped, not truncated in place
    const priv = await testCluster.query(
      dst.name,
      `SELECT has_table_privilege($1, 'public.items', 'SELECT') AS sel,
        has_table_privilege($1, 'public.items', 'INSERT') AS ins, relacl::text[] AS acl
      FROM pg_class WHERE oid = 'public.items'::regclass`,
      [reader.user],
    );
    expect(priv.rows[0].sel).toBe(true);
    expect(priv.rows[0].ins).toBe(false);
    const acl = priv.rows[0].acl as string[];
    expect(acl).toContainEqual(expect.stringMatching(new RegExp(`^"?${reader.user}"?=r/`)));
    expect(acl).toContainEqual(expect.stringMatching(/^=r\//));
    await expectEqual(src, 'public.items', dst, 'public.items', 2000);
    expect(await stagingTables(dst)).toEqual([]);
  });

  it('waits for a reader holding the table, retries the swap, and readers only ever see the old table', async () => {
    const dst = await testCluster.createDatabase('rs_reader');
    await testCluster.psql(dst.name, `${ITEMS_DDL('items')}; ${ITEMS_ROWS('items', 9001, 9300)};`);
    const reader = new pg.Client({ connectionString: dst.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('LOCK TABLE public.items IN ACCESS SHARE MODE');
      const running = runCli([
        'run',
        pipeline(src, dst, 'replace', ['public.items'], ', lock_timeout_ms: 200, swap_retries: 8'),
      ]);

      // wait until the swap is queued behind the reader's lock
      await waitFor(
        'the swap to try to lock the target',
        async () => {
          const waiting = await testCluster.query(
            dst.name,
            `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'public.items'::regclass AND NOT granted AND mode = 'AccessExclusiveLock'`,
          );
          return waiting.rows[0].n > 0 ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
      // the staging table is fully loaded by now, yet the reader still sees all of the old table
      expect(await stagingTables(dst)).toEqual(['items__rb_stage']);
      expect(Number((await reader.query('SELECT count(*) AS n, min(id) AS lo FROM public.items')).rows[0].n)).toBe(300);
      await new Promise((r) => setTimeout(r, 1000));
      const held = (await reader.query('SELECT count(*)::int AS n, min(id) AS lo, max(id) AS hi FROM public.items'))
        .rows[0];
      expect(held).toEqual({ n: 300, lo: 9001, hi: 9300 });
      // a new reader (queued behind the swap's lock request until it times out) sees the old table too
      expect(await rowCount(dst, 'public.items')).toBe(300);
      await reader.query('COMMIT');

      const result = await running;
      expectSucceededText(result);
      expect(result.stderr).toMatch(/\[warn\].*"public"\."items" is locked; swap retry 1\/8 in 100 ms/);
    } finally {
      await reader.end();
    }
    await expectEqual(src, 'public.items', dst, 'public.items', 2000);
    expect(await stagingTables(dst)).toEqual([]);
  });

  it('fails with LOCK_TIMEOUT after swap_retries while the reader stays, leaving the old table', async () => {
    const dst = await testCluster.createDatabase('rs_timeout');
    await testCluster.psql(dst.name, `${ITEMS_DDL('items')}; ${ITEMS_ROWS('items', 1, 10)};`);
    const reader = new pg.Client({ connectionString: dst.url });
    await reader.connect();
    let result: CliResult;
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM public.items');
      result = await runCli([
        'run',
        pipeline(src, dst, 'replace', ['public.items'], ', lock_timeout_ms: 100, swap_retries: 1'),
      ]);
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('LOCK_TIMEOUT');
    expect(result.stdout).toMatch(/after 2 attempts/);
    expect(await rowCount(dst, 'public.items')).toBe(10);
    expect(await stagingTables(dst)).toEqual([]);
  });

  it('refuses to drop a dependent view: names it, keeps the old table, leaves no staging table', async () => {
    const dst = await testCluster.createDatabase('rs_view');
    await testCluster.psql(
      dst.name,
      `${ITEMS_DDL('items')}; ${ITEMS_ROWS('items', 1, 42)};
      CREATE VIEW cheap_items_view AS SELECT id, name FROM items WHERE price < 10;`,
    );
    const before = await oid(dst, 'public.items');

    const result = await runCli(['run', pipeline(src, dst, 'replace', ['public.items'])]);
    expect(result.code).not.toBe(0);
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('DEPENDENT_VIEW');
    expect(output).toContain('cheap_items_view');
    expect(result.stdout).toMatch(/public\.items\s+failed/);

    expect(await oid(dst, 'public.items')).toBe(before);
    expect(await rowCount(dst, 'public.items')).toBe(42);
    expect(await rowCount(dst, 'public.cheap_items_view')).toBe(7);
    expect(await stagingTables(dst)).toEqual([]);
    expect(
      (await testCluster.query(dst.name, `SELECT to_regclass('public.items__rb_stage') AS t`)).rows[0].t,
    ).toBeNull();
  });

  it('replaces tables with 60-character non-ASCII names (staging names cut to 63 UTF-8 bytes, distinct)', async () => {
    const longSrc = await testCluster.createDatabase('rs_long_src');
    const dst = await testCluster.createDatabase('rs_long_dst');
    const base = 'ventes_régionales_années_prévues_';
    const names = ['a', 'b'].map((end) => base + 'x'.repeat(60 - base.length - 1) + end);
    for (const name of names) {
      expect(name.length).toBe(60);
      expect(Buffer.byteLength(name)).toBe(63); // exactly NAMEDATALEN - 1: the staging suffix cannot be appended
      await testCluster.psql(
        longSrc.name,
        `${ITEMS_DDL(`"${name}"`)}; ${ITEMS_ROWS(`"${name}"`, 1, name.endsWith('a') ? 100 : 200)};`,
      );
    }
    const file = pipeline(
      longSrc,
      dst,
      'replace',
      names.map((n) => `public.${n}`),
    );
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['run', file]);
      expectSucceededText(result);
      expect(result.stderr).not.toMatch(/truncated|error/i);
      // each stream logged its own staging table: the name cut on a character boundary plus a hash, <= 63 bytes
      const stages = [...result.stderr.matchAll(/into "public"\."([^"]+__rb_stage)"/g)].map((m) => m[1] ?? '');
      expect(new Set(stages).size).toBe(2);
      for (const stage of stages) {
        expect(stage).toMatch(/_[0-9a-f]{8}__rb_stage$/);
        expect(stage.startsWith(base)).toBe(true);
        expect(Buffer.byteLength(stage)).toBeLessThanOrEqual(63);
      }
      const tables = await testCluster.query(
        dst.name,
        `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> '_rb_watermarks' ORDER BY 1`,
      );
      expect(tables.rows.map((r) => r.relname)).toEqual(names);
      await expectEqual(
        longSrc,
        { schema: 'public', table: names[0] ?? '' },
        dst,
        { schema: 'public', table: names[0] ?? '' },
        100,
      );
      await expectEqual(
        longSrc,
        { schema: 'public', table: names[1] ?? '' },
        dst,
        { schema: 'public', table: names[1] ?? '' },
        200,
      );
    }
  });

  it('two replace streams side by side whose names cut to the same primary-key name both succeed (the later rename keeps the staging name instead of failing the stream)', async () => {
    const longSrc = await testCluster.createDatabase('rs_pk_src');
    const prefix = 'p'.repeat(58);
    const names = ['a', 'b', 'c', 'd'].map((end) => `${prefix}_${end}`);
    for (const name of names)
      await testCluster.psql(longSrc.name, `${ITEMS_DDL(`"${name}"`)}; ${ITEMS_ROWS(`"${name}"`, 1, 50)};`);
    for (let round = 0; round < 3; round++) {
      const dst = await testCluster.createDatabase(`rs_pk_dst${round}`);
      const file = pipeline(
        longSrc,
        dst,
        'replace',
        names.map((n) => `public.${n}`),
      );
      writeFileSync(file, `${readFileSync(file, 'utf8')}resources: { parallelism: 4 }\n`);
      const result = await runCli(['run', file]);
      expectSucceededText(result);
      for (const name of names)
        await expectEqual(longSrc, { schema: 'public', table: name }, dst, { schema: 'public', table: name }, 50);
      const keys = await testCluster.query(
        dst.name,
        `SELECT count(*)::int AS n FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE i.indisprimary AND t.relname LIKE '${prefix}%'`,
      );
      expect(keys.rows[0].n).toBe(names.length);
    }
  });

  it('replace twice gives equal data without duplicates; append twice doubles the rows of a keyless table and is refused by a keyed one', async () => {
    const dst = await testCluster.createDatabase('rs_twice');
    const replace = pipeline(src, dst, 'replace', ['public.items']);
    expectSucceededText(await runCli(['run', replace]));
    const first = await testCluster.tableDigest(dst.url, 'public.items', 'id');
    expectSucceededText(await runCli(['run', replace]));
    expect(await testCluster.tableDigest(dst.url, 'public.items', 'id')).toEqual(first);
    expect(first).toEqual(await testCluster.tableDigest(src.url, 'public.items', 'id'));
    await expectEqual(src, 'public.items', dst, 'public.items', 2000);

    // a created table gets the source's primary key: appending the same rows again is refused
    const dstKeyed = await testCluster.createDatabase('rs_append_keyed');
    const keyed = pipeline(src, dstKeyed, 'append', ['public.items']);
    expectSucceededText(await runCli(['run', keyed]));
    const again = await runCli(['run', keyed]);
    expect(again.code).toBe(4);
    expect(`${again.stdout}${again.stderr}`).toMatch(/duplicate key/);
    expect(await rowCount(dstKeyed, 'public.items')).toBe(2000);

    const dstAppend = await testCluster.createDatabase('rs_append');
    // without a primary key at the destination the second append adds the same rows again
    await testCluster.psql(
      dstAppend.name,
      'CREATE TABLE public.items (id integer NOT NULL, name text NOT NULL, price numeric(10,2), tags text[])',
    );
    const append = pipeline(src, dstAppend, 'append', ['public.items']);
    expectSucceededText(await runCli(['run', append]));
    expect(await rowCount(dstAppend, 'public.items')).toBe(2000);
    expectSucceededText(await runCli(['run', append]));
    expect(await rowCount(dstAppend, 'public.items')).toBe(4000);
    const dup = await testCluster.query(
      dstAppend.name,
      `SELECT count(DISTINCT id)::int AS ids, min(c)::int AS lo, max(c)::int AS hi
      FROM (SELECT id, count(*) AS c FROM public.items GROUP BY id) g`,
    );
    expect(dup.rows[0]).toEqual({ ids: 2000, lo: 2, hi: 2 });
  });

  it('a zero-row source creates an empty target with the right columns; a rerun loads the new rows', async () => {
    const emptySrc = await testCluster.createDatabase('rs_empty_src');
    const dst = await testCluster.createDatabase('rs_empty_dst');
    await testCluster.psql(emptySrc.name, ITEMS_DDL('items'));
    const file = pipeline(emptySrc, dst, 'replace', ['public.items']);

    expectSucceededText(await runCli(['run', file]));
    expect((await testCluster.query(dst.name, `SELECT to_regclass('public.items') AS t`)).rows[0].t).toBe('items');
    expect(await rowCount(dst, 'public.items')).toBe(0);
    const columns = await testCluster.query(
      dst.name,
      `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
      FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    expect(columns.rows.map((r) => [r.attname, r.type, r.attnotnull])).toEqual([
      ['id', 'integer', true],
      ['name', 'text', true],
      ['price', 'numeric(10,2)', false],
      ['tags', 'text[]', false],
    ]);

    await testCluster.psql(emptySrc.name, ITEMS_ROWS('items', 1, 25));
    expectSucceededText(await runCli(['run', file]));
    await expectEqual(emptySrc, 'public.items', dst, 'public.items', 25);
  });
});

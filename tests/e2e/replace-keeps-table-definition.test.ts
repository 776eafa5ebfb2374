// dest-postgres `replace` on a table the user defined: after the swap the table has the same
// indexes and constraints (under the names the user gave them, however many runs), foreign keys
// from and to it, triggers, comments, RLS policies, statistics, replica identity and column grants;
// two pipelines replacing the same table at once both succeed, one after the other.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  expectSucceededText,
  pgEndpoint,
  runCli,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const SOURCE_DDL = `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[], category_id int, parent_id int)`;
const sourceRows = (from: number, to: number, factor = 1.25): string =>
  `INSERT INTO items SELECT g, 'item ' || g, g * ${factor}, ARRAY['t' || (g % 7)], g % 7, CASE WHEN g > ${from} THEN g - 1 END
   FROM generate_series(${from}, ${to}) g`;

/** The destination table as a user defines it: named constraints and indexes, FKs both ways, triggers, comments, RLS. */
function destinationDdl(reader: string): string {
  return `CREATE SCHEMA wh;
    CREATE TABLE wh.categories (id int PRIMARY KEY, label text);
    INSERT INTO wh.categories SELECT g, 'c' || g FROM generate_series(0, 6) g;
    CREATE TABLE wh.items (
      id int CONSTRAINT items_id_pk PRIMARY KEY,
      name text NOT NULL CONSTRAINT items_name_uq UNIQUE,
      price numeric(10,2) CONSTRAINT price_positive CHECK (price > 0),
      tags text[],
      category_id int CONSTRAINT items_category_fk REFERENCES wh.categories (id),
      parent_id int CONSTRAINT items_parent_fk REFERENCES wh.items (id) DEFERRABLE INITIALLY DEFERRED
    );
    CREATE INDEX items_lower_name_idx ON wh.items (lower(name)) WHERE price > 1;
    CREATE INDEX items_price_desc ON wh.items (price DESC NULLS LAST) INCLUDE (name);
    CREATE STATISTICS wh.items_price_parent_stats (dependencies) ON price, parent_id FROM wh.items;
    CREATE TABLE wh.order_lines (id int PRIMARY KEY, item_id int CONSTRAINT order_lines_item_fk REFERENCES wh.items (id));
    CREATE TABLE wh.audit (item_id int, at timestamptz DEFAULT now());
    CREATE FUNCTION wh.audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO wh.audit (item_id) VALUES (NEW.id); RETURN NEW; END $$;
    CREATE FUNCTION wh.upper_name() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
    CREATE TRIGGER items_audit AFTER INSERT ON wh.items FOR EACH ROW EXECUTE FUNCTION wh.audit_insert();
    CREATE TRIGGER items_upper_name BEFORE UPDATE OF name ON wh.items FOR EACH ROW WHEN (NEW.name LIKE 'shout%') EXECUTE FUNCTION wh.upper_name();
    CREATE TRIGGER items_never AFTER DELETE ON wh.items FOR EACH ROW EXECUTE FUNCTION wh.audit_insert();
    ALTER TABLE wh.items DISABLE TRIGGER items_never;
    COMMENT ON TABLE wh.items IS 'Items we sell';
    COMMENT ON COLUMN wh.items.name IS 'display name';
    COMMENT ON CONSTRAINT items_name_uq ON wh.items IS 'names are unique';
    COMMENT ON INDEX wh.items_lower_name_idx IS 'case-insensitive search';
    COMMENT ON TRIGGER items_audit ON wh.items IS 'who inserted what';
    COMMENT ON CONSTRAINT items_category_fk ON wh.items IS 'every item has a category';
    ALTER TABLE wh.items ENABLE ROW LEVEL SECURITY;
    CREATE POLICY items_cheap ON wh.items AS PERMISSIVE FOR SELECT TO "${reader}" USING (price < 100);
    CREATE POLICY items_no_free ON wh.items AS RESTRICTIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (price > 0);
    ALTER TABLE wh.items REPLICA IDENTITY USING INDEX items_name_uq;
    GRANT SELECT (id, name) ON wh.items TO "${reader}";
    GRANT SELECT ON wh.items TO PUBLIC;`;
}

function pipeline(name: string, src: TestDatabase, dst: TestDatabase, schema: string, destExtra = ''): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.items, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}${destExtra}`)}
  write_mode: replace
`);
}

/** Everything about `wh.items` a user defined, as comparable text (names included, oids not). */
async function definition(db: TestDatabase): Promise<Record<string, unknown>> {
  const q = async (sql: string): Promise<unknown[]> => (await cluster.query(db.name, sql)).rows;
  const items = `'wh.items'::regclass`;
  return {
    constraints:
      await q(`SELECT conrelid::regclass::text AS tbl, conname, contype, convalidated, pg_get_constraintdef(oid) AS def,
        obj_description(oid, 'pg_constraint') AS comment
      FROM pg_constraint WHERE conrelid = ${items} OR confrelid = ${items} ORDER BY 1, 2`),
    indexes:
      await q(`SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def, obj_description(indexrelid, 'pg_class') AS comment
      FROM pg_index WHERE indrelid = ${items} ORDER BY 1`),
    triggers:
      await q(`SELECT tgname, tgenabled, pg_get_triggerdef(oid) AS def, obj_description(oid, 'pg_trigger') AS comment
      FROM pg_trigger WHERE tgrelid = ${items} AND NOT tgisinternal ORDER BY 1`),
    statistics: await q(`SELECT stxnamespace::regnamespace::text AS schema, stxname, pg_get_statisticsobjdef(oid) AS def
      FROM pg_statistic_ext WHERE stxrelid = ${items} ORDER BY 2`),
    policies: await q(`SELECT policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies
      WHERE schemaname = 'wh' AND tablename = 'items' ORDER BY 1`),
    table:
      await q(`SELECT relrowsecurity, relforcerowsecurity, relreplident, relacl::text, pg_get_userbyid(relowner) AS owner,
        obj_description(oid, 'pg_class') AS comment,
        (SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = c.oid AND indisreplident) AS replica_index
      FROM pg_class c WHERE oid = ${items}`),
    columns:
      await q(`SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull, attacl::text, col_description(attrelid, attnum) AS comment
      FROM pg_attribute WHERE attrelid = ${items} AND attnum > 0 AND NOT attisdropped ORDER BY attnum`),
  };
}

async function relations(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT relname FROM pg_class WHERE relnamespace = 'wh'::regnamespace AND relname NOT LIKE '\\_rb\\_watermarks%' ORDER BY 1`,
  );
  return r.rows.map((row) => row.relname as string);
}

describe('dest-postgres replace keeps the definition of the table it replaces', () => {
  it('keeps indexes, constraints (same names after 3 runs), FKs from and to it, triggers, comments, RLS, statistics, replica identity and column grants', async () => {
    const src = await cluster.createDatabase('rk_src');
    const dst = await cluster.createDatabase('rk_dst');
    const reader = await cluster.createLoginRole('unused-pw', { prefix: 'rk_reader' });
    await cluster.psql(src.name, `${SOURCE_DDL}; ${sourceRows(1, 2000)};`);
    await cluster.psql(
      dst.name,
      `${destinationDdl(reader.user)}
      INSERT INTO wh.items SELECT g, 'old ' || g, g, NULL, 1, NULL FROM generate_series(1, 60) g;
      INSERT INTO wh.order_lines SELECT g, g FROM generate_series(1, 50) g;
      TRUNCATE wh.audit;`,
    );
    const before = await definition(dst);
    const relationsBefore = await relations(dst);
    const file = pipeline('rk_defs', src, dst, 'wh');

    for (let run = 1; run <= 3; run++) {
      const result = await runCli(['run', file]);
      expectSucceededText(result);
      expect(result.stderr, `run ${run}`).not.toMatch(/\[warn\]/);
      expect(await definition(dst), `run ${run}`).toEqual(before);
      expect(await relations(dst), `run ${run}`).toEqual(relationsBefore);
      const diff = await cluster.compareTables(src.url, 'public.items', dst.url, { schema: 'wh', table: 'items' });
      expect(diff.onlyInSource).toEqual([]);
      expect(diff.onlyInDestination).toEqual([]);
      expect(diff.destinationRows).toBe(2000);
      // the load did not fire the table's triggers
      expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM wh.audit')).rows[0].n, `run ${run}`).toBe(
        0,
      );
    }

    // the application's writes behave as before: triggers fire, constraints hold, FKs both ways are enforced
    await cluster.psql(
      dst.name,
      `INSERT INTO wh.items VALUES (5000, 'new', 3, NULL, 2, 1);
      UPDATE wh.items SET name = 'shout ' || id WHERE id = 7;
      DELETE FROM wh.items WHERE id = 5000;`,
    );
    expect((await cluster.query(dst.name, 'SELECT item_id FROM wh.audit')).rows).toEqual([{ item_id: 5000 }]);
    expect((await cluster.query(dst.name, 'SELECT name FROM wh.items WHERE id = 7')).rows).toEqual([
      { name: 'SHOUT 7' },
    ]);
    await expect(cluster.query(dst.name, `INSERT INTO wh.items VALUES (5001, 'x', 0, NULL, 1, NULL)`)).rejects.toThrow(
      /price_positive|row-level security/,
    );
    await expect(cluster.query(dst.name, `INSERT INTO wh.items VALUES (5002, 'y', 5, NULL, 99, NULL)`)).rejects.toThrow(
      /items_category_fk/,
    );
    await expect(
      cluster.query(dst.name, `INSERT INTO wh.items VALUES (5003, 'item 9', 5, NULL, 1, NULL)`),
    ).rejects.toThrow(/items_name_uq/);
    await expect(cluster.query(dst.name, `INSERT INTO wh.order_lines VALUES (999, 987654)`)).rejects.toThrow(
      /order_lines_item_fk/,
    );
    await expect(cluster.query(dst.name, `DELETE FROM wh.items WHERE id = 3`)).rejects.toThrow(/order_lines_item_fk/);
  });

  it('refuses to drop rows other tables reference: names the foreign key and the table, keeps the old table', async () => {
    const src = await cluster.createDatabase('rk_ref_src');
    const dst = await cluster.createDatabase('rk_ref_dst');
    await cluster.psql(src.name, `${SOURCE_DDL}; ${sourceRows(1, 100)};`);
    await cluster.psql(
      dst.name,
      `CREATE SCHEMA wh;
      CREATE TABLE wh.items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[], category_id int, parent_id int);
      INSERT INTO wh.items SELECT g, 'old ' || g, g, NULL, NULL, NULL FROM generate_series(1, 300) g;
      CREATE TABLE wh.order_lines (id int PRIMARY KEY, item_id int CONSTRAINT order_lines_item_fk REFERENCES wh.items (id));
      INSERT INTO wh.order_lines VALUES (1, 5), (2, 250);`,
    );
    const oldOid = (await cluster.query(dst.name, `SELECT 'wh.items'::regclass::oid::text AS o`)).rows[0].o as string;

    const result = await runCli(['run', pipeline('rk_ref', src, dst, 'wh')]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('REFERENCED_ROWS_MISSING');
    expect(output).toContain('order_lines_item_fk');
    expect(output).toContain('wh.order_lines');
    expect((await cluster.query(dst.name, `SELECT 'wh.items'::regclass::oid::text AS o`)).rows[0].o).toBe(oldOid);
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM wh.items')).rows[0].n).toBe(300);
    expect(
      (
        await cluster.query(
          dst.name,
          `SELECT convalidated FROM pg_constraint WHERE conname = 'order_lines_item_fk' AND confrelid = 'wh.items'::regclass`,
        )
      ).rows,
    ).toEqual([{ convalidated: true }]);
    expect(await relations(dst)).not.toContainEqual(expect.stringMatching(/__rb_stage/));

    // once the referencing rows are gone the replace goes through and the foreign key points at the new table
    await cluster.psql(dst.name, 'DELETE FROM wh.order_lines WHERE id = 2');
    expectSucceededText(await runCli(['run', pipeline('rk_ref', src, dst, 'wh')]));
    expect(
      (
        await cluster.query(
          dst.name,
          `SELECT conrelid::regclass::text AS t, convalidated FROM pg_constraint WHERE confrelid = 'wh.items'::regclass`,
        )
      ).rows,
    ).toEqual([{ t: 'wh.order_lines', convalidated: true }]);
  });

  it("names a new table's primary key after the table, not after its staging table", async () => {
    const src = await cluster.createDatabase('rk_new_src');
    const dst = await cluster.createDatabase('rk_new_dst');
    await cluster.psql(src.name, `${SOURCE_DDL}; ${sourceRows(1, 10)};`);
    const file = pipeline('rk_new', src, dst, 'public');
    for (let run = 1; run <= 3; run++) {
      expectSucceededText(await runCli(['run', file]));
      const idx = await cluster.query(
        dst.name,
        `SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'public.items'::regclass`,
      );
      expect(idx.rows, `run ${run}`).toEqual([{ name: 'items_pkey' }]);
    }
  });

  it("two pipelines replacing the same table at once both succeed, one after the other; the table is the last one's copy", async () => {
    const srcA = await cluster.createDatabase('rk_two_a');
    const srcB = await cluster.createDatabase('rk_two_b');
    const dst = await cluster.createDatabase('rk_two_dst');
    await cluster.psql(srcA.name, `${SOURCE_DDL}; ${sourceRows(1, 60_000)};`);
    await cluster.psql(srcB.name, `${SOURCE_DDL}; ${sourceRows(1, 80_000, 2.5)};`);
    const files = [pipeline('rk_two_a', srcA, dst, 'public'), pipeline('rk_two_b', srcB, dst, 'public')];
    for (let round = 1; round <= 2; round++) {
      // round 1 creates the table, round 2 replaces it
      const results = await Promise.all(files.map((f) => runCli(['run', f])));
      for (const result of results) expectSucceededText(result);
      const marks = await cluster.query(
        dst.name,
        `SELECT pipeline FROM public._rb_watermarks ORDER BY updated_at DESC`,
      );
      const last = marks.rows[0].pipeline === 'rk_two_a' ? srcA : srcB;
      const diff = await cluster.compareTables(last.url, 'public.items', dst.url, 'public.items');
      expect(diff.onlyInSource, `round ${round}`).toEqual([]);
      expect(diff.onlyInDestination, `round ${round}`).toEqual([]);
      const left = await cluster.query(dst.name, `SELECT relname FROM pg_class WHERE relname LIKE '%rb\\_stage%'`);
      expect(left.rows).toEqual([]);
    }
  });

  it("a second replace of the same table waits for the first one's swap, then swaps its own copy in", async () => {
    const srcA = await cluster.createDatabase('rk_wait_a');
    const srcB = await cluster.createDatabase('rk_wait_b');
    const dst = await cluster.createDatabase('rk_wait_dst');
    await cluster.psql(srcA.name, `${SOURCE_DDL}; ${sourceRows(1, 500)};`);
    await cluster.psql(srcB.name, `${SOURCE_DDL}; ${sourceRows(1, 700, 3)};`);
    await cluster.psql(
      dst.name,
      `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[], category_id int, parent_id int)`,
    );
    const waiting = async (sql: string): Promise<void> => {
      await waitFor(
        sql,
        async () => (Number((await cluster.query(dst.name, sql)).rows[0].n) === 0 ? undefined : true),
        { timeoutMs: 120_000, intervalMs: 20 },
      );
    };
    const reader = new pg.Client({ connectionString: dst.url });
    await reader.connect();
    let results: CliResult[];
    try {
      await reader.query('BEGIN');
      await reader.query('LOCK TABLE public.items IN ACCESS SHARE MODE');
      // A loads its staging table and queues its swap behind the reader
      const a = runCli(['run', pipeline('rk_wait_a', srcA, dst, 'public', ', lock_timeout_ms: 120000')]);
      await waiting(
        `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'public.items'::regclass AND NOT granted AND mode = 'AccessExclusiveLock'`,
      );
      // B waits for A's replace as a whole (not on the shared staging table name)
      const b = runCli(['run', pipeline('rk_wait_b', srcB, dst, 'public')]);
      await waiting(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      expect((await reader.query('SELECT count(*)::int AS n FROM public.items')).rows[0].n).toBe(0);
      await reader.query('COMMIT');
      results = await Promise.all([a, b]);
    } finally {
      await reader.end();
    }
    for (const result of results) expectSucceededText(result);
    expect(results[1]?.stderr).toMatch(/another run is replacing "public"\."items"; waiting for it to finish/);
    const diff = await cluster.compareTables(srcB.url, 'public.items', dst.url, 'public.items');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff.destinationRows).toBe(700);
  });

  it("refuses new rows that break the target's own foreign key: names it, keeps the old table", async () => {
    const src = await cluster.createDatabase('rk_fk_src');
    const dst = await cluster.createDatabase('rk_fk_dst');
    await cluster.psql(src.name, `${SOURCE_DDL}; ${sourceRows(1, 100)};`);
    await cluster.psql(
      dst.name,
      `CREATE SCHEMA wh;
      CREATE TABLE wh.categories (id int PRIMARY KEY);
      INSERT INTO wh.categories VALUES (0), (1), (2);
      CREATE TABLE wh.items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[],
        category_id int CONSTRAINT items_category_fk REFERENCES wh.categories (id), parent_id int);
      INSERT INTO wh.items VALUES (1, 'old', 1, NULL, 1, NULL);`,
    );
    const result = await runCli(['run', pipeline('rk_fk', src, dst, 'wh')]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('FOREIGN_KEY_VIOLATION');
    expect(output).toContain('items_category_fk');
    expect(output).toContain('"wh"."items"');
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM wh.items')).rows[0].n).toBe(1);
    expect(await relations(dst)).not.toContainEqual(expect.stringMatching(/__rb_stage/));
  });

  it('refuses, naming the table, when a foreign key referencing the target belongs to a table the loading role does not own', async () => {
    const src = await cluster.createDatabase('rk_own_src');
    const dst = await cluster.createDatabase('rk_own_dst');
    const loader = await cluster.createLoginRole('loader-pw', { prefix: 'rk_loader' });
    await cluster.psql(src.name, `${SOURCE_DDL}; ${sourceRows(1, 100)};`);
    await cluster.psql(
      dst.name,
      `CREATE SCHEMA wh AUTHORIZATION "${loader.user}";
      CREATE TABLE wh.items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[], category_id int, parent_id int);
      ALTER TABLE wh.items OWNER TO "${loader.user}";
      INSERT INTO wh.items SELECT g, 'old ' || g, g, NULL, NULL, NULL FROM generate_series(1, 10) g;
      CREATE TABLE wh.order_lines (id int PRIMARY KEY, item_id int CONSTRAINT order_lines_item_fk REFERENCES wh.items (id));
      INSERT INTO wh.order_lines VALUES (1, 5);`,
    );
    const loaderDst = { name: dst.name, url: cluster.url(dst.name, loader.user, loader.password) };
    const result = await runCli(['run', pipeline('rk_own', src, loaderDst, 'wh')]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('DEPENDENT_FOREIGN_KEY');
    expect(output).toMatch(/the foreign key "?order_lines_item_fk"? of wh\.order_lines references it/);
    expect((await cluster.query(dst.name, 'SELECT count(*)::int AS n FROM wh.items')).rows[0].n).toBe(10);
    expect(
      (
        await cluster.query(
          dst.name,
          `SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'order_lines_item_fk' AND confrelid = 'wh.items'::regclass`,
        )
      ).rows[0].n,
    ).toBe(1);
    expect(await relations(dst)).not.toContainEqual(expect.stringMatching(/__rb_stage/));
  });
});

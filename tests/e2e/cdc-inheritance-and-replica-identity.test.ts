// What a CDC run may publish without breaking the source application: an inheritance parent is
// published alone (`ONLY`), so a child without a key keeps accepting the application's
// UPDATE/DELETE, and its stream carries the parent's own rows in the snapshot and in the changes;
// parent and child as two streams of one pipeline work in either order; a DEFERRABLE primary key or
// an unusable replica identity index is refused before anything is published; a pipeline whose slot
// exists needs no free slot.
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  pgPipeline,
  runCli,
  runSucceeded,
  testPg,
  writePipeline,
  writePipelineDoc,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

function cdcPipeline(o: { name: string; src: TestDatabase; dst: TestDatabase; streams: readonly string[] }): string {
  return writePipelineDoc(
    pgPipeline({
      ...o,
      streams: o.streams.map((s) => ({ name: s, sync_mode: 'cdc' })),
      writeMode: 'upsert',
      resources: { batch_rows: 1000 },
    }),
  );
}

async function publishedTables(src: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    src.name,
    `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables ORDER BY 1`,
  );
  return r.rows.map((row) => (row as { t: string }).t);
}

/** The application's own writes on `table` (ONLY: the row of that table, not of its children). */
async function applicationWrites(
  src: TestDatabase,
  table: string,
  id: number,
  extraColumns = '',
  extraValues = '',
): Promise<void> {
  await cluster.query(src.name, `INSERT INTO ${table} (id, name${extraColumns}) VALUES (${id}, 'new'${extraValues})`);
  await cluster.query(src.name, `UPDATE ONLY ${table} SET name = name || '!' WHERE id = ${id}`);
  await cluster.query(
    src.name,
    `INSERT INTO ${table} (id, name${extraColumns}) VALUES (${id + 1}, 'gone'${extraValues})`,
  );
  await cluster.query(src.name, `DELETE FROM ONLY ${table} WHERE id = ${id + 1}`);
}

const INHERITANCE_DDL = `CREATE TABLE public.animals (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.dogs (breed text) INHERITS (public.animals);            -- no key: inheritance does not copy it
CREATE TABLE public.cats (lives int, PRIMARY KEY (id)) INHERITS (public.animals);
INSERT INTO public.animals VALUES (1, 'generic'), (2, 'other');
INSERT INTO public.dogs VALUES (10, 'rex', 'lab'), (11, 'fido', 'pug');
INSERT INTO public.cats VALUES (20, 'tom', 9);
-- the parent's own rows, what its stream carries
CREATE VIEW public.animals_own AS SELECT * FROM ONLY public.animals;`;

describe('CDC of inheritance parents', () => {
  it("CDC of an inheritance parent publishes only the parent: the keyless child keeps its UPDATE/DELETE, snapshot and changes carry the parent's own rows", async () => {
    const src = await scope.create('cdc_inh_src', INHERITANCE_DDL);
    const dst = await scope.create('cdc_inh_dst');
    const file = cdcPipeline({ name: 'cdc_inh', src, dst, streams: ['public.animals'] });
    await runSucceeded(file);
    expect(await publishedTables(src)).toEqual(['public.animals']);
    await expectTablesEqual(src, 'animals_own', dst, 'animals');

    // the application's own writes on parent and children still work after the run
    await applicationWrites(src, 'animals', 100);
    await applicationWrites(src, 'dogs', 200, ', breed', `, 'mutt'`);
    await applicationWrites(src, 'cats', 300, ', lives', ', 7');
    await cluster.query(src.name, `UPDATE dogs SET breed = 'beagle' WHERE id = 10`);
    await cluster.query(src.name, `DELETE FROM dogs WHERE id = 11`);
    await cluster.query(src.name, `UPDATE animals SET name = name || '?'`); // parent and children in one statement

    await runSucceeded(file);
    await expectTablesEqual(src, 'animals_own', dst, 'animals');
    expect(await publishedTables(src)).toEqual(['public.animals']);
  });

  it('check names a keyless child that an earlier run published with its parent (whose writes fail now), with the fix', async () => {
    const src = await scope.create('cdc_inh_old_src', INHERITANCE_DDL);
    const dst = await scope.create('cdc_inh_old_dst');
    // what an earlier version did: the parent published without ONLY, so its children came along
    await cluster.psql(
      src.name,
      `CREATE PUBLICATION rapidbyte_cdc_inh_old FOR TABLE public.animals WITH (publish_via_partition_root = true);`,
    );
    const file = cdcPipeline({ name: 'cdc_inh_old', src, dst, streams: ['public.animals'] });
    const check = await runCli(['check', file]);
    expect(check.code, check.stdout).not.toBe(0);
    const line = check.stdout
      .split('\n')
      .filter((l) => l.includes('publication_member'))
      .join('\n');
    expect(line).toMatch(/^FAILED/m);
    expect(line).toContain('"public"."dogs"');
    expect(line).toContain('DROP TABLE ONLY "public"."dogs"');
    expect(line).not.toContain('"public"."cats"');
  });

  it("full_refresh and incremental of an inheritance parent read the parent's own rows, as its CDC stream does", async () => {
    const src = await scope.create('inh_modes_src', INHERITANCE_DDL);
    const dst = await scope.create('inh_modes_dst');
    // one stream per table in a pipeline: one pipeline per sync mode
    for (const [mode, table] of [
      ['full_refresh, write_mode: replace', 'animals_full'],
      ['incremental, cursor_field: id', 'animals_incr'],
    ] as const) {
      const run = await runCli([
        'run',
        '--json',
        writePipeline(`version: "1.0"
pipeline: inh_modes_${table}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.animals, sync_mode: ${mode}, destination_table: ${table} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
`),
      ]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stderr).toContain("reads the inheritance parent's own rows only");
    }
    await expectTablesEqual(src, 'animals_own', dst, 'animals_full');
    await expectTablesEqual(src, 'animals_own', dst, 'animals_incr');
  });

  it('CDC of an inheritance parent and its child in one pipeline works in either stream order (no "already member of publication")', async () => {
    for (const [order, streams] of [
      ['parent first', ['public.animals', 'public.cats']],
      ['child first', ['public.cats', 'public.animals']],
    ] as const) {
      const src = await scope.create('cdc_inh2_src', INHERITANCE_DDL);
      const dst = await scope.create('cdc_inh2_dst');
      const file = cdcPipeline({ name: `cdc_inh2_${order.replace(' ', '_')}`, src, dst, streams });
      await runSucceeded(file);
      expect(await publishedTables(src), order).toEqual(['public.animals', 'public.cats']);
      await applicationWrites(src, 'animals', 100);
      await applicationWrites(src, 'cats', 300, ', lives', ', 7');
      await applicationWrites(src, 'dogs', 200, ', breed', `, 'mutt'`);
      await runSucceeded(file);
      await expectTablesEqual(src, 'animals_own', dst, 'animals');
      await expectTablesEqual(src, 'cats', dst, 'cats');
    }
  });
});

describe('replica identities that are not one', () => {
  it('a DEFERRABLE primary key or an unusable replica identity index is refused before publishing, in run and check', async () => {
    const src = await scope.create(
      'cdc_defer_src',
      `CREATE TABLE public.deferred (id int PRIMARY KEY DEFERRABLE INITIALLY IMMEDIATE, name text);
INSERT INTO public.deferred VALUES (1, 'a'), (2, 'b');
CREATE TABLE public.by_index (id int NOT NULL, name text);
CREATE UNIQUE INDEX by_index_id ON public.by_index (id);
ALTER TABLE public.by_index REPLICA IDENTITY USING INDEX by_index_id;
DROP INDEX public.by_index_id;                -- relreplident stays 'i' with no index behind it
INSERT INTO public.by_index VALUES (1, 'a');`,
    );
    const dst = await scope.create('cdc_defer_dst');
    for (const [table, fix] of [
      ['deferred', 'NOT DEFERRABLE'],
      ['by_index', 'REPLICA IDENTITY FULL'],
    ] as const) {
      const file = cdcPipeline({ name: `cdc_defer_${table}`, src, dst, streams: [`public.${table}`] });
      const run = await runCli(['run', '--json', file]);
      expect(run.code, run.stdout + run.stderr).not.toBe(0);
      const json = parseJson<RunJson>(run);
      expect(json.streams[0]?.error?.code).toBe('NO_REPLICA_IDENTITY');
      expect(json.streams[0]?.error?.message).toContain(`"public"."${table}"`);
      expect(json.streams[0]?.error?.message).toContain(fix);
      expect(await publishedTables(src)).toEqual([]);
      const check = await runCli(['check', file]);
      expect(check.code, check.stdout).not.toBe(0);
      expect(check.stdout).toContain(fix);
    }
    // the application's own writes still work
    await applicationWrites(src, 'deferred', 100);
    await applicationWrites(src, 'by_index', 100);

    // with the fix the stream runs, and the application's writes still work
    await cluster.psql(src.name, `ALTER TABLE public.deferred REPLICA IDENTITY FULL;`);
    const fixed = cdcPipeline({ name: 'cdc_defer_fixed', src, dst, streams: ['public.deferred'] });
    await runSucceeded(fixed);
    await applicationWrites(src, 'deferred', 200);
    await runSucceeded(fixed);
    await expectTablesEqual(src, 'deferred', dst, 'deferred');
  });
});

describe('replication slots', () => {
  it('a pipeline whose own slot exists is not refused NO_FREE_SLOT when every other slot is taken', async () => {
    const src = await scope.create(
      'cdc_slots_src',
      `CREATE TABLE public.t (id int PRIMARY KEY, name text); INSERT INTO public.t VALUES (1, 'a');`,
    );
    const dst = await scope.create('cdc_slots_dst');
    const file = cdcPipeline({ name: 'cdc_slots', src, dst, streams: ['public.t'] });
    await runSucceeded(file);
    const free = await cluster.query(
      'postgres',
      `SELECT current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots)::int AS n`,
    );
    const fillers = Array.from({ length: (free.rows[0] as { n: number }).n }, (_, i) => `rb_test_filler_${i}`);
    try {
      for (const name of fillers)
        await cluster.query('postgres', `SELECT pg_create_physical_replication_slot($1)`, [name]);
      await cluster.query(src.name, `INSERT INTO t VALUES (2, 'b'); UPDATE t SET name = 'c' WHERE id = 1;`);
      await runSucceeded(file);
      await expectTablesEqual(src, 't', dst, 't');
      // a pipeline without a slot is still refused, with the fix
      const other = cdcPipeline({ name: 'cdc_slots_other', src, dst, streams: ['public.t'] });
      const refused = await runCli(['run', '--json', other]);
      expect(refused.code).not.toBe(0);
      expect(parseJson<RunJson>(refused).streams[0]?.error?.code).toBe('NO_FREE_SLOT');
    } finally {
      for (const name of fillers)
        await cluster.query('postgres', `SELECT pg_drop_replication_slot($1)`, [name]).catch(() => undefined);
    }
  });
});

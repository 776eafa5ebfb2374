// Columns of the OID-alias types (regclass, regtype, regproc, regprocedure, regoper, regoperator,
// regconfig, regdictionary, regnamespace, regrole, regcollation, and arrays of them) hold OIDs of
// the source's catalog. They used to arrive as those OIDs, which mean nothing (or another object)
// at the destination. They now travel as their text form — the name as the source prints it — into
// `text` (`text[]`) columns, on full refresh, incremental and CDC (where pgoutput sends the OID
// and the engine looks the name up at the source).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  columnTypes,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const databases = databaseScope(cluster);

const COLUMNS = `id int PRIMARY KEY, c regclass, t regtype, p regproc, pp regprocedure, o regoper, oo regoperator,
  cfg regconfig, dict regdictionary, ns regnamespace, r regrole, coll regcollation, arr regclass[], note text`;

const DDL = `
CREATE SCHEMA app;
CREATE TABLE app.things (id int);
CREATE TYPE app.color AS ENUM ('red');
CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE TABLE public.refs (${COLUMNS});
INSERT INTO public.refs VALUES
  (1, 'app.things', 'app.color', 'app.f', 'app.f(integer)', '||/', '+(integer,integer)', 'english', 'simple', 'app', 'pg_monitor', '"C"', '{app.things,pg_class}', 'one'),
  (2, 'pg_class', 'integer[]', 'now', 'now()', '|/', '=(text,text)', 'simple', 'english_stem', 'public', 'pg_read_all_data', '"POSIX"', '{}', 'two'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{NULL,app.things}', 'three');
-- an OID of an object that is gone prints as the number
CREATE TABLE app.gone (id int);
INSERT INTO public.refs (id, c, note) VALUES (4, 'app.gone', 'dangling');
DROP TABLE app.gone;`;

function pipeline(
  src: TestDatabase,
  dst: TestDatabase,
  name: string,
  stream: string,
  writeMode: string,
  schema: string,
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.refs, ${stream} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: ${writeMode}
resources: { batch_rows: 2 }
`);
}

/** The source's rows with every reg* value as the source prints it. */
async function expectEqual(src: TestDatabase, dst: TestDatabase, dstTable: string): Promise<void> {
  await expectTablesEqual(src, 'public.refs', dst, dstTable);
}

const TEXT_TYPES = ['integer', ...Array(11).fill('text'), 'text[]', 'text'];

describe('OID-alias (reg*) columns carry their text form', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('reg_src', DDL);
    dst = await databases.create('reg_dst');
  });

  afterAll(async () => {
    await cluster.query(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND database = $1`,
      [src.name],
    );
    await databases.dropAll();
  });

  it.each([
    ['passthrough', {}],
    ['decoded to Arrow', { RAPIDBYTE_COPY_PASSTHROUGH: 'off' }],
  ] as const)('full refresh: names, not source OIDs, in text columns (%s)', async (label, env) => {
    const schema = label === 'passthrough' ? 'wh_full' : 'wh_full_decoded';
    expectSucceeded(
      await runCli(
        ['run', '--json', pipeline(src, dst, `reg_${schema}`, 'sync_mode: full_refresh', 'replace', schema)],
        { env: { ...env } },
      ),
    );
    await expectEqual(src, dst, `${schema}.refs`);
    expect(await columnTypes(dst, `${schema}.refs`)).toEqual(TEXT_TYPES);
    const row = await cluster.query(dst.name, `SELECT c, t, pp, arr FROM ${schema}.refs WHERE id = 1`);
    expect(row.rows[0]).toEqual({
      c: 'app.things',
      t: 'app.color',
      pp: 'app.f(integer)',
      arr: ['app.things', 'pg_class'],
    });
  });

  it('full refresh × upsert keyed by a regclass column (as pglogical keys its tables) reads in key chunks and upserts by name', async () => {
    await cluster.psql(
      src.name,
      `
CREATE TABLE public.repset (set_id int, rel regclass, note text, PRIMARY KEY (set_id, rel));
INSERT INTO public.repset SELECT s, r, s || ':' || r::text FROM generate_series(1, 3) s, unnest('{app.things,pg_class,pg_type,public.refs}'::regclass[]) r;`,
    );
    const file = writePipeline(`version: "1.0"
pipeline: reg_keyed
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.repset, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, ', schema: wh_keyed')}
  write_mode: upsert
resources: { batch_rows: 2, checkpoint_interval_rows: 3 }
`);
    for (const run of [1, 2]) {
      const json = expectSucceeded(await runCli(['run', '--json', file]));
      expect(
        json.streams.map((s) => [s.stream, s.status, s.rowsWritten]),
        `run ${run}`,
      ).toEqual([['public.repset', 'succeeded', 12]]);
      const diff = await cluster.compareTables(src.url, 'public.repset', dst.url, 'wh_keyed.repset');
      expect([diff.onlyInSourceCount, diff.onlyInDestinationCount, diff.destinationRows]).toEqual([0, 0, 12]);
    }
    expect(await columnTypes(dst, 'wh_keyed.repset')).toEqual(['integer', 'text', 'text']);
  });

  it('incremental: appended rows carry names too', async () => {
    const file = pipeline(src, dst, 'reg_incremental', 'sync_mode: incremental, cursor_field: id', 'append', 'wh_inc');
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(
      src.name,
      `CREATE TABLE app.newer (id int); INSERT INTO public.refs (id, c, arr, note) VALUES (5, 'app.newer', '{app.newer}', 'five');`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_inc.refs');
  });

  it('cdc: the snapshot and later inserts/updates carry names (pgoutput sends OIDs; they are looked up at the source)', async () => {
    const file = pipeline(src, dst, 'reg_cdc', 'sync_mode: cdc', 'upsert', 'wh_cdc');
    await cluster.psql(src.name, 'ALTER TABLE public.refs REPLICA IDENTITY FULL;');
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_cdc.refs');
    expect(await columnTypes(dst, 'wh_cdc.refs')).toEqual(TEXT_TYPES);

    await cluster.psql(
      src.name,
      `
CREATE TABLE app.later (id int);
CREATE FUNCTION app.g(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
INSERT INTO public.refs VALUES (6, 'app.later', 'app.color[]', 'app.g', 'app.g(text)', '||/', '-(integer,integer)', 'english', 'simple', 'app', 'pg_monitor', '"C"', '{app.later,app.things,NULL}', 'six');
UPDATE public.refs SET c = 'app.later', arr = '{app.later}', note = 'one!' WHERE id = 1;
UPDATE public.refs SET note = 'two!' WHERE id = 2;
DELETE FROM public.refs WHERE id = 3;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_cdc.refs');

    // the application's own writes on the published table still work
    await cluster.psql(
      src.name,
      `INSERT INTO public.refs (id, c, note) VALUES (7, 'pg_type', 'seven'); UPDATE public.refs SET t = 'text' WHERE id = 7; DELETE FROM public.refs WHERE id = 6;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_cdc.refs');
  });
});

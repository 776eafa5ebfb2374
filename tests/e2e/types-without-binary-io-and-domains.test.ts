// Contrib types without a binary send/receive function (isn's isbn13, seg) used to fail the whole
// stream with `no binary output function available for type isbn13`, in full refresh and in the
// CDC snapshot. They now travel as their text form and arrive as the exact type: the source reads
// them as `col::text` and keeps the type name in the field metadata, the destination creates the
// exact type and loads the text through a text-typed view of the table that casts it. pgoutput
// sends them as text even in binary mode; the engine takes those bytes as the text they are.
// The contrib types that already round-tripped in binary (hstore, citext, ltree, lquery, cube,
// and arrays of them) keep doing so.
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

const EXTENSIONS =
  'CREATE EXTENSION isn; CREATE EXTENSION seg; CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION ltree; CREATE EXTENSION cube;';

const DDL = `${EXTENSIONS}
CREATE TABLE public.books (
  id int PRIMARY KEY,
  isbn isbn13,
  isbns isbn13[],
  range seg,
  attrs hstore,
  attrs_arr hstore[],
  name citext,
  names citext[],
  path ltree,
  paths ltree[],
  query lquery,
  box cube,
  boxes cube[],
  note text
);
INSERT INTO public.books VALUES
  (1, '978-0-306-40615-7', '{978-0-306-40615-7,978-1-56619-909-4}', '1.5 .. 2.5', 'a=>1,b=>2', '{"a=>1","c=>NULL"}', 'Alice', '{Bob,carol}', 'top.mid.leaf', '{a.b,c}', '*.mid.*', '(1,2),(3,4)', '{"(1,2)","(5)"}', 'one'),
  (2, '9781566199094', '{}', '<3.0', '', '{}', 'ALICE', '{}', '', '{}', 'top.*', '(0)', '{}', 'two'),
  (3, NULL, '{NULL,978-0-306-40615-7}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'three');`;

const TYPES = [
  'integer',
  'isbn13',
  'isbn13[]',
  'seg',
  'hstore',
  'hstore[]',
  'citext',
  'citext[]',
  'ltree',
  'ltree[]',
  'lquery',
  'cube',
  'cube[]',
  'text',
];

const CDC_COLUMNS = [
  'id',
  'isbn',
  'range',
  'attrs',
  'attrs_arr',
  'name',
  'names',
  'path',
  'paths',
  'query',
  'box',
  'boxes',
  'note',
];

function pipeline(
  src: TestDatabase,
  dst: TestDatabase,
  name: string,
  stream: string,
  writeMode: string,
  schema: string,
  source = 'public.books',
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${source}, ${stream} }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: ${writeMode}
resources: { batch_rows: 2 }
`);
}

async function expectEqual(src: TestDatabase, dst: TestDatabase, dstTable: string): Promise<void> {
  await expectTablesEqual(src, 'public.books', dst, dstTable);
}

describe('types without a binary send/receive (isn, seg) and contrib types round-trip as the exact type', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('nobin_src', DDL);
    dst = await databases.create('nobin_dst', EXTENSIONS);
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
    ['passthrough', 'replace', {}],
    ['decoded to Arrow', 'replace', { RAPIDBYTE_COPY_PASSTHROUGH: 'off' }],
    ['upsert', 'upsert', {}],
  ] as const)(
    'full refresh no longer fails with "no binary output function available for type isbn13" (%s)',
    async (label, writeMode, env) => {
      const schema = `wh_full_${label.toLowerCase().replace(/\W+/g, '_')}`;
      expectSucceeded(
        await runCli(
          ['run', '--json', pipeline(src, dst, `nobin_${schema}`, 'sync_mode: full_refresh', writeMode, schema)],
          { env: { ...env } },
        ),
      );
      await expectEqual(src, dst, `${schema}.books`);
      expect(await columnTypes(dst, `${schema}.books`)).toEqual(TYPES);
      if (writeMode === 'upsert') {
        expectSucceeded(
          await runCli(
            ['run', '--json', pipeline(src, dst, `nobin_${schema}`, 'sync_mode: full_refresh', writeMode, schema)],
            { env: { ...env } },
          ),
        );
        await expectEqual(src, dst, `${schema}.books`);
      }
    },
  );

  it('incremental: appended rows of isbn13/seg columns arrive as the exact type', async () => {
    const file = pipeline(
      src,
      dst,
      'nobin_incremental',
      'sync_mode: incremental, cursor_field: id',
      'append',
      'wh_inc',
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(
      src.name,
      `INSERT INTO public.books (id, isbn, isbns, range, note) VALUES (4, '978-3-16-148410-0', '{978-3-16-148410-0}', '-1 .. 1', 'four');`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_inc.books');
    expect(await columnTypes(dst, 'wh_inc.books')).toEqual(TYPES);
  });

  it('cdc refuses an array of a type without a send function (pgoutput fails on it), before publishing, naming the column and the way out', async () => {
    const file = pipeline(src, dst, 'nobin_cdc_refused', 'sync_mode: cdc', 'upsert', 'wh_cdc_refused');
    const result = await runCli(['run', '--json', file]);
    expect(result.code).not.toBe(0);
    const output = (result.stdout + result.stderr).replaceAll('\\"', '"');
    expect(output).toContain(
      "public.books: column \"isbns\" is an array of a type without a binary send function (isbn13[]); pgoutput's binary mode fails on it (even when the stream's columns list leaves it out), so sync_mode cdc cannot read this table. Use sync_mode full_refresh or incremental, or change the column's type (e.g. to text[])",
    );
    const published = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_publication_tables WHERE tablename = 'books'`,
    );
    expect(published.rows[0].n).toBe(0);
    // `check` reports it too
    const check = await runCli(['check', file]);
    expect(check.code).not.toBe(0);
    expect(check.stdout).toContain('column "isbns" is an array of a type without a binary send function (isbn13[])');
  });

  it.each(['upsert', 'append'] as const)(
    'cdc (%s): the snapshot no longer fails on isbn13, and pgoutput text values of isbn13/seg are applied',
    async (writeMode) => {
      const schema = `wh_cdc_${writeMode}`;
      // an array of isbn13 makes pgoutput fail (see above): the CDC table has all but that column
      const TABLE = `books_${writeMode}`;
      const file = pipeline(src, dst, `nobin_cdc_${writeMode}`, 'sync_mode: cdc', writeMode, schema, `public.${TABLE}`);
      await cluster.psql(
        src.name,
        `CREATE TABLE public.${TABLE} (LIKE public.books INCLUDING ALL); ALTER TABLE public.${TABLE} DROP COLUMN isbns, REPLICA IDENTITY FULL;
INSERT INTO public.${TABLE} SELECT ${CDC_COLUMNS.join(', ')} FROM public.books;`,
      );
      expectSucceeded(await runCli(['run', '--json', file]));
      const table = `${schema}.${TABLE}`;
      const compare = async (): Promise<void> => {
        const diff = await cluster.compareTables(src.url, `public.${TABLE}`, dst.url, table);
        expect(diff.onlyInSource, 'rows only in the source').toEqual([]);
        expect(diff.onlyInDestination, 'rows only in the destination').toEqual([]);
        expect(diff.destinationRows).toBe(diff.sourceRows);
      };
      const types = TYPES.filter((_, i) => i !== 2);
      if (writeMode === 'upsert') {
        await compare();
        expect(await columnTypes(dst, table)).toEqual(types);
      }
      await cluster.psql(
        src.name,
        `
INSERT INTO public.${TABLE} VALUES (${writeMode === 'upsert' ? 10 : 20}, '978-1-4028-9462-6', '5 .. 6', 'x=>y', '{"x=>y"}', 'Zed', '{Zed}', 'a.b.c', '{a}', 'a.*', '(7,8)', '{"(9)"}', 'ten');
UPDATE public.${TABLE} SET isbn = '978-0-596-52068-7', range = '0 .. 100', note = note || '!' WHERE id = 1;
UPDATE public.${TABLE} SET note = note || '!' WHERE id = 2;
DELETE FROM public.${TABLE} WHERE id = 3;`,
      );
      expectSucceeded(await runCli(['run', '--json', file]));
      if (writeMode === 'upsert') {
        await compare();
      } else {
        // the change log holds every version, typed as at the source
        expect((await columnTypes(dst, table)).slice(0, types.length)).toEqual(types);
        const changed = await cluster.query(
          dst.name,
          `SELECT count(*)::int AS n FROM ${table} WHERE isbn = '978-0-596-52068-7'::isbn13 AND range = '0 .. 100'::seg`,
        );
        expect(changed.rows[0].n).toBeGreaterThanOrEqual(1);
        const inserted = await cluster.query(
          dst.name,
          `SELECT isbn::text AS isbn, range::text AS range FROM ${table} WHERE id = 20`,
        );
        expect(inserted.rows).toEqual([{ isbn: '978-1-4028-9462-6', range: '5 .. 6' }]);
      }

      // the application's own writes on the published table still work
      const id = writeMode === 'upsert' ? 11 : 21;
      await cluster.psql(
        src.name,
        `INSERT INTO public.${TABLE} (id, isbn, range, note) VALUES (${id}, '978-0-306-40615-7', '1 .. 2', 'eleven'); UPDATE public.${TABLE} SET range = '3' WHERE id = ${id}; DELETE FROM public.${TABLE} WHERE id = ${id - 1};`,
      );
      expectSucceeded(await runCli(['run', '--json', file]));
      if (writeMode === 'upsert') await compare();
    },
  );
});

// A column of a domain type used to arrive as the domain's base type even when the destination
// has the domain. Now a new destination table uses the domain where the destination has one of
// the same qualified name over the same base type; otherwise the column gets the base type and
// the run logs a warning naming the domain to create.
describe('domains stay domains', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  const SRC_DDL = `CREATE EXTENSION citext; CREATE EXTENSION isn;
CREATE DOMAIN public.email AS citext CHECK (VALUE LIKE '%@%');
CREATE DOMAIN public.code AS varchar(8) CHECK (length(VALUE) > 1);
CREATE DOMAIN public.book_id AS isbn13;
CREATE TABLE public.contacts (id int PRIMARY KEY, mail email NOT NULL, code code, book book_id, note text);
INSERT INTO public.contacts VALUES (1, 'A@example.com', 'ab', '978-0-306-40615-7', 'one'), (2, 'b@example.com', NULL, NULL, 'two');`;
  // the destination has email and book_id, not code
  const DST_DDL = `CREATE EXTENSION citext; CREATE EXTENSION isn;
CREATE DOMAIN public.email AS citext CHECK (VALUE LIKE '%@%');
CREATE DOMAIN public.book_id AS isbn13;`;
  const EXPECTED = ['integer', 'email', 'character varying(8)', 'book_id', 'text'];

  beforeAll(async () => {
    src = await databases.create('dom_src', SRC_DDL);
    dst = await databases.create('dom_dst', DST_DDL);
  });

  afterAll(async () => {
    await cluster.query(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND database = $1`,
      [src.name],
    );
  });

  function contactsPipeline(name: string, stream: string, writeMode: string, schema: string): string {
    return pipeline(src, dst, name, stream, writeMode, schema, 'public.contacts');
  }

  async function same(table: string): Promise<void> {
    const diff = await cluster.compareTables(src.url, 'public.contacts', dst.url, table);
    expect([diff.onlyInSource, diff.onlyInDestination, diff.destinationRows]).toEqual([[], [], diff.sourceRows]);
  }

  it.each([
    ['full_refresh', 'sync_mode: full_refresh', 'replace'],
    ['incremental', 'sync_mode: incremental, cursor_field: id', 'append'],
  ] as const)(
    '%s: a domain column no longer arrives as its base type when the destination has the domain',
    async (label, stream, writeMode) => {
      const schema = `wh_dom_${label}`;
      const result = await runCli(['run', '--json', contactsPipeline(`dom_${label}`, stream, writeMode, schema)]);
      expectSucceeded(result);
      await same(`${schema}.contacts`);
      expect(await columnTypes(dst, `${schema}.contacts`)).toEqual(EXPECTED);
      // the missing domain is named in a warning
      expect(result.stderr + result.stdout).toContain(
        'column "code" is of domain public.code at the source, which the destination lacks; it is created as character varying(8)',
      );
    },
  );

  it('cdc: the snapshot and later changes land in domain columns', async () => {
    await cluster.psql(src.name, 'ALTER TABLE public.contacts REPLICA IDENTITY FULL;');
    const file = contactsPipeline('dom_cdc', 'sync_mode: cdc', 'upsert', 'wh_dom_cdc');
    expectSucceeded(await runCli(['run', '--json', file]));
    await same('wh_dom_cdc.contacts');
    expect(await columnTypes(dst, 'wh_dom_cdc.contacts')).toEqual(EXPECTED);
    await cluster.psql(
      src.name,
      `INSERT INTO public.contacts VALUES (3, 'c@example.com', 'cc', '978-1-56619-909-4', 'three');
UPDATE public.contacts SET mail = 'Z@example.com', book = '978-1-4028-9462-6' WHERE id = 1; DELETE FROM public.contacts WHERE id = 2;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await same('wh_dom_cdc.contacts');
    // the application's own writes on the source still work
    await cluster.psql(
      src.name,
      `INSERT INTO public.contacts VALUES (4, 'd@example.com', 'dd', NULL, 'four'); UPDATE public.contacts SET code = 'zz' WHERE id = 4; DELETE FROM public.contacts WHERE id = 3;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await same('wh_dom_cdc.contacts');
  });
});

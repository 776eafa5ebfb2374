// A table without columns (`CREATE TABLE z ()`) can still hold rows (`INSERT INTO z DEFAULT
// VALUES`). Reading one used to fail with a syntax error (`COPY "s"."z" () FROM STDIN`), and in a
// pattern stream (`public.*`) it failed the run. Full refresh now copies its row count; modes that
// need a column (incremental needs a cursor, CDC and upsert a key) are refused before anything is
// changed, naming the stream and the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  rowCount,
  runCli,
  testPg,
  writePipeline,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const databases = databaseScope(cluster);

function pipeline(
  src: TestDatabase,
  dst: TestDatabase,
  name: string,
  streams: string,
  writeMode: string,
  schema: string,
): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${streams}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: ${writeMode}
`);
}

async function columnCount(db: TestDatabase, table: string): Promise<number> {
  const r = await cluster.query(
    db.name,
    `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attnum > 0 AND NOT attisdropped`,
  );
  return Number(r.rows[0].n);
}

describe('a zero-column table', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'zero_src',
      `
      CREATE TABLE public.z ();
      INSERT INTO public.z DEFAULT VALUES;
      INSERT INTO public.z DEFAULT VALUES;
      INSERT INTO public.z DEFAULT VALUES;
      CREATE TABLE public.dropped (gone int);
      INSERT INTO public.dropped VALUES (1), (2);
      ALTER TABLE public.dropped DROP COLUMN gone;
      CREATE TABLE public.items (id int PRIMARY KEY, name text);
      INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 50) g;`,
    );
    dst = await databases.create('zero_dst');
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it.each([
    ['append', 'passthrough'],
    ['replace', 'passthrough'],
    ['replace', 'decoded to Arrow'],
  ] as const)(
    'full refresh × %s copies its row count (and a table whose only column was dropped), %s',
    async (writeMode, path) => {
      const schema = `wh_${writeMode}${path === 'passthrough' ? '' : '_decoded'}`;
      const env: Record<string, string> = path === 'passthrough' ? {} : { RAPIDBYTE_COPY_PASSTHROUGH: 'off' };
      const file = pipeline(
        src,
        dst,
        `zero_${schema}`,
        `    - { name: public.z, sync_mode: full_refresh }
    - { name: public.dropped, sync_mode: full_refresh }`,
        writeMode,
        schema,
      );
      for (const run of [1, 2]) {
        const result = await runCli(['run', '--json', file], { env });
        expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
        expect(
          parseJson(result)
            .streams.map((s) => [s.stream, s.status, s.rowsWritten])
            .sort(),
        ).toEqual([
          ['public.dropped', 'succeeded', 2],
          ['public.z', 'succeeded', 3],
        ]);
        const factor = writeMode === 'append' ? run : 1;
        expect(await rowCount(dst, `${schema}.z`)).toBe(3 * factor);
        expect(await rowCount(dst, `${schema}.dropped`)).toBe(2 * factor);
        expect(await columnCount(dst, `${schema}.z`)).toBe(0);
      }
      // the source application still writes its table
      await cluster.psql(
        src.name,
        'BEGIN; INSERT INTO public.z DEFAULT VALUES; DELETE FROM public.z WHERE ctid = (SELECT min(ctid) FROM public.z); COMMIT;',
      );
      expect(await rowCount(src, 'public.z')).toBe(3);
    },
  );

  it('a pattern stream over a schema with a zero-column table copies every table', async () => {
    const file = pipeline(
      src,
      dst,
      'zero_pattern',
      '    - { name: "public.*", sync_mode: full_refresh }',
      'replace',
      'wh_pattern',
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(
      parseJson(result)
        .streams.map((s) => [s.stream, s.status, s.rowsWritten])
        .sort(),
    ).toEqual([
      ['public.dropped', 'succeeded', 2],
      ['public.items', 'succeeded', 50],
      ['public.z', 'succeeded', 3],
    ]);
    const diff = await cluster.compareTables(src.url, 'public.items', dst.url, 'wh_pattern.items');
    expect([diff.onlyInSourceCount, diff.onlyInDestinationCount, diff.destinationRows]).toEqual([0, 0, 50]);
    expect(await rowCount(dst, 'wh_pattern.z')).toBe(3);
  });

  it.each([
    // keyless: the refusal every table without a key gets
    ['full_refresh', 'upsert', /public\.z: write_mode upsert needs a key/],
    [
      'incremental',
      'append',
      /public\.z: the table has no columns, so it has no cursor_field \\"id\\" to read by; use sync_mode full_refresh/,
    ],
    // keyless: the refusal every table without a key or replica identity gets
    ['cdc', 'upsert', /public\.z: table \\"public\\"\.\\"z\\" has no primary key/],
  ] as const)('%s × %s is refused before anything changes, naming the stream', async (syncMode, writeMode, message) => {
    const schema = `wh_refused_${syncMode}`;
    const cursor = syncMode === 'incremental' ? ', cursor_field: id' : '';
    const file = pipeline(
      src,
      dst,
      `zero_refused_${syncMode}`,
      `    - { name: public.z, sync_mode: ${syncMode}${cursor} }`,
      writeMode,
      schema,
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(message);
    const published = await cluster.query(
      src.name,
      `SELECT count(*)::int AS n FROM pg_publication_tables WHERE tablename = 'z'`,
    );
    expect(published.rows[0].n).toBe(0);
    const created = await cluster.query(
      dst.name,
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'z'`,
      [schema],
    );
    expect(created.rows[0].n).toBe(0);
  });
});

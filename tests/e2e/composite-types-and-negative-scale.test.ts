// Production schemas that used to fail the stream at the destination:
// - a column of a standalone composite type (`CREATE TYPE addr AS (…)`), or an array of one, failed
//   with `type "addr" does not exist` (42704) unless the destination happened to have a type of
//   that name on its search path. The source now sends the type's definition; the destination
//   creates it in its schema (as enums are) and the values travel in binary.
// - `numeric(5,-2)` (a negative scale, PostgreSQL 15) was refused with INVALID_TYPE_NAME.
// - a frame the host cannot encode into an open COPY left the connection in COPY mode: the
//   connector's next statement queued behind it and the stream hung forever (even SIGTERM only
//   drained to a timeout). The COPY is now ended with CopyFail and the error reaches the connector.
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameTable } from '../../packages/engine/src/runtime/frame-table.js';
import { PgCapability } from '../../packages/engine/src/runtime/pg-capability.js';
import {
  columnTypes,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  pgPipeline,
  runCli,
  testPg,
  writePipelineDoc,
  type StreamDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const databases = databaseScope(cluster);

const TYPES_DDL = `
CREATE TYPE public.addr AS (street text, zip int, tags text[]);
CREATE TYPE public.price AS (amount numeric(12,2), currency char(3));`;

const DDL = `${TYPES_DDL}
CREATE TABLE public.places (
  id int PRIMARY KEY,
  home addr,
  homes addr[],
  cost price,
  rounded numeric(5,-2),
  roundeds numeric(5,-2)[],
  note text
);
INSERT INTO public.places VALUES
  (1, ROW('Main St', 12345, '{a,b}'), ARRAY[ROW('x, "quoted" (y)', 1, NULL)::addr, NULL], ROW(12.50, 'EUR'), 12345, '{100,249}', 'one'),
  (2, NULL, NULL, NULL, NULL, NULL, 'two'),
  (3, ROW(NULL, NULL, NULL), '{}', ROW(NULL, NULL), -99949, '{}', 'three');`;

/** public.<table> into `schema` of `dst`, small batches (several frames per table). */
function pipeline(
  src: TestDatabase,
  dst: TestDatabase,
  name: string,
  stream: Omit<StreamDoc, 'name'>,
  writeMode: string,
  schema: string,
  table = 'public.places',
): string {
  const doc = pgPipeline({
    name,
    src,
    dst,
    streams: [{ name: table, ...stream }],
    writeMode,
    resources: { batch_rows: 2 },
  });
  doc.destination.config = { ...doc.destination.config, schema };
  return writePipelineDoc(doc);
}

function expectedTypes(schema: string): string[] {
  return [
    'integer',
    `${schema}.addr`,
    `${schema}.addr[]`,
    `${schema}.price`,
    'numeric(5,-2)',
    'numeric(5,-2)[]',
    'text',
  ];
}

describe('composite-type columns and negative-scale numerics arrive as the exact type', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('composite_src', DDL);
    dst = await databases.create('composite_dst');
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
    'full refresh (%s) no longer fails with type "addr" does not exist: the type is created from the source definition, and a second run finds no type change',
    async (label, writeMode, env) => {
      const schema = `wh_${label.toLowerCase().replace(/\W+/g, '_')}`;
      const file = pipeline(src, dst, `composite_${schema}`, { sync_mode: 'full_refresh' }, writeMode, schema);
      expectSucceeded(await runCli(['run', '--json', file], { env: { ...env } }));
      await expectTablesEqual(src, 'public.places', dst, `${schema}.places`);
      expect(await columnTypes(dst, `${schema}.places`)).toEqual(expectedTypes(schema));
      const attributes = await cluster.query(
        dst.name,
        `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) AS a
         FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = $1::regtype) AND attnum > 0`,
        [`${schema}.addr`],
      );
      expect(attributes.rows[0].a).toBe('street text, zip integer, tags text[]');
      // the second run compares the source's addr with the destination's <schema>.addr: the same type
      await cluster.psql(
        src.name,
        `UPDATE public.places SET note = note || '!', cost = ROW((cost).amount + 1, 'EUR') WHERE id = 1;`,
      );
      expectSucceeded(await runCli(['run', '--json', file], { env: { ...env } }));
      await expectTablesEqual(src, 'public.places', dst, `${schema}.places`);
    },
  );

  it('a destination that already has a type of that name on its search path keeps using it (nothing is created)', async () => {
    const dst2 = await databases.create('composite_dst_has_type', TYPES_DDL);
    const file = pipeline(src, dst2, 'composite_existing', { sync_mode: 'full_refresh' }, 'replace', 'wh_existing');
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.places', dst2, 'wh_existing.places');
    expect(await columnTypes(dst2, 'wh_existing.places')).toEqual([
      'integer',
      'addr',
      'addr[]',
      'price',
      'numeric(5,-2)',
      'numeric(5,-2)[]',
      'text',
    ]);
    const created = await cluster.query(
      dst2.name,
      `SELECT count(*)::int AS n FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'wh_existing' AND t.typtype = 'c' AND t.typname IN ('addr', 'price')`,
    );
    expect(created.rows[0].n).toBe(0);
  });

  it('incremental append: new rows with composite values arrive', async () => {
    const file = pipeline(
      src,
      dst,
      'composite_incremental',
      { sync_mode: 'incremental', cursor_field: 'id' },
      'append',
      'wh_inc',
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(
      src.name,
      `INSERT INTO public.places VALUES (4, ROW('Fourth', 4, '{d}'), ARRAY[ROW('f', 4, '{}')::addr], ROW(4.00, 'USD'), 400, '{400}', 'four');`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.places', dst, 'wh_inc.places');
    expect(await columnTypes(dst, 'wh_inc.places')).toEqual(expectedTypes('wh_inc'));
  });

  it('cdc upsert: the snapshot and inserted, updated and deleted composite values are applied; the application keeps writing', async () => {
    await cluster.psql(
      src.name,
      `CREATE TABLE public.places_cdc (LIKE public.places INCLUDING ALL); INSERT INTO public.places_cdc SELECT * FROM public.places;`,
    );
    const file = pipeline(src, dst, 'composite_cdc', { sync_mode: 'cdc' }, 'upsert', 'wh_cdc', 'public.places_cdc');
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.places_cdc', dst, 'wh_cdc.places_cdc');
    await cluster.psql(
      src.name,
      `INSERT INTO public.places_cdc VALUES (10, ROW('Ten', 10, '{t,e,n}'), ARRAY[ROW('a', 1, '{}')::addr, ROW('b', 2, NULL)::addr], ROW(10.10, 'GBP'), 1000, '{1000}', 'ten');
UPDATE public.places_cdc SET home = ROW('Moved', 1, '{m}'), homes = homes || ROW('new', 9, '{}')::addr, cost = NULL WHERE id = 1;
UPDATE public.places_cdc SET cost = ROW(0.01, 'JPY') WHERE id = 2;
DELETE FROM public.places_cdc WHERE id = 3;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.places_cdc', dst, 'wh_cdc.places_cdc');
    expect(await columnTypes(dst, 'wh_cdc.places_cdc')).toEqual(expectedTypes('wh_cdc'));
    // the application's own writes on the published table still work
    await cluster.psql(
      src.name,
      `INSERT INTO public.places_cdc (id, home, note) VALUES (11, ROW('Eleven', 11, '{}'), 'eleven'); UPDATE public.places_cdc SET home = NULL WHERE id = 11; DELETE FROM public.places_cdc WHERE id = 10;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.places_cdc', dst, 'wh_cdc.places_cdc');
  });

  it('a frame the host cannot encode into an open COPY ends the COPY: the error surfaces and the connection answers the next statement', async () => {
    const frames = new FrameTable();
    const pg = new PgCapability(
      { connector: 'probe', allowedHosts: [cluster.host], allowedPaths: [] },
      frames,
      8 << 20,
    );
    try {
      const conn = await pg.connect({
        host: cluster.host,
        port: cluster.port,
        user: cluster.superuser,
        password: '',
        database: dst.name,
        sslMode: 'disable',
        applicationName: 'rb-copy-abort',
      });
      await pg.query(conn, 'CREATE TABLE public.copy_abort (id integer)', []);
      await pg.query(conn, 'BEGIN', []);
      const copy = pg.copyIn(conn, 'COPY public.copy_abort (id) FROM STDIN (FORMAT binary)', [
        { name: 'id', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: true, enumLabels: [] },
      ]);
      // a text column cannot be written as integer: the encoder refuses the frame
      const frame = frames.add(tableFromArrays({ id: ['not a number'] }).batches[0]!);
      await expect(pg.copyInWrite(copy, frame)).rejects.toThrow(/cannot write Arrow .*Utf8.* as Postgres integer/);
      const next = pg.query(conn, 'ROLLBACK', []);
      const answered = await Promise.race([
        next.then(() => 'answered'),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
      ]);
      expect(answered).toBe('answered');
      expect((await pg.query(conn, 'SELECT count(*)::text FROM public.copy_abort', [])).rows).toEqual([['0']]);
    } finally {
      await pg.closeAll();
    }
  });
});

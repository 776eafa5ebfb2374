// Rows whose incremental cursor is NULL used to be left out without a word: a table whose
// `updated_at` is NULL until a row is first updated was copied short, run after run, `succeeded`.
// Now such a stream fails with CURSOR_NULL (naming the stream, the column and the count) unless the
// pipeline says what it wants: `on_null_cursor: include` reads those rows on every run (upsert
// rewrites them in place, append with a NOT NULL key delivers each once), `skip` leaves them out
// with a warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  duplicateKeys,
  expectSucceeded,
  expectTablesEqual,
  onlyStream,
  parseJson,
  pgPipeline,
  rowCount,
  runCli,
  testPg,
  writePipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

const TABLE_DDL = (table: string): string => `
  CREATE TABLE public.${table} (id int PRIMARY KEY, updated_at timestamptz, note text NOT NULL);
  INSERT INTO public.${table}
    SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE timestamptz '2026-01-01 00:00+00' + g * interval '1 minute' END, 'row ' || g
    FROM generate_series(1, 100) g;`;

describe('incremental rows with a NULL cursor are never skipped silently', () => {
  let src: TestDatabase;

  beforeAll(async () => {
    src = await scope.create('nullcur_src');
  });
  afterAll(() => scope.dropAll());

  const pipeline = (name: string, table: string, dst: TestDatabase, writeMode: string, onNullCursor?: string): string =>
    writePipelineDoc(
      pgPipeline({
        name,
        src,
        dst,
        streams: [
          {
            name: `public.${table}`,
            sync_mode: 'incremental',
            cursor_field: 'updated_at',
            ...(onNullCursor ? { on_null_cursor: onNullCursor } : {}),
          },
        ],
        writeMode,
        resources: { checkpoint_interval_rows: 16, batch_rows: 8 },
      }),
    );

  it('by default the stream fails CURSOR_NULL naming the column and the count, before any row moves (exit 2)', async () => {
    await cluster.psql(src.name, TABLE_DDL('nc_default'));
    const dst = await scope.create('nullcur_dst_default');
    const result = await runCli(['run', '--json', pipeline('nc_default', 'nc_default', dst, 'upsert')]);
    expect(result.code, cliOutput(result)).toBe(2);
    const stream = onlyStream(parseJson(result));
    expect(stream.status).toBe('failed');
    expect(stream.error?.code).toBe('CURSOR_NULL');
    expect(stream.error?.message).toContain('public.nc_default: 10 row(s) have a NULL updated_at');
    expect(stream.error?.message).toContain('on_null_cursor: include');
    expect(stream.rowsRead).toBe(0);
    expect(stream.rowsWritten).toBe(0);
  });

  it('include × upsert: every row arrives; NULL rows are read again each run and updated in place', async () => {
    await cluster.psql(src.name, TABLE_DDL('nc_upsert'));
    const dst = await scope.create('nullcur_dst_upsert');
    const file = pipeline('nc_upsert', 'nc_upsert', dst, 'upsert', 'include');
    const first = expectSucceeded(await runCli(['run', '--json', file]));
    expect(onlyStream(first).rowsRead).toBe(100);
    await expectTablesEqual(src, 'public.nc_upsert', dst, 'public.nc_upsert', { rows: 100 });

    // a NULL row gets its first update, another NULL row is edited, a new NULL row is inserted
    await cluster.psql(
      src.name,
      `
      UPDATE public.nc_upsert SET updated_at = '2027-01-01 00:00+00', note = 'now dated' WHERE id = 10;
      UPDATE public.nc_upsert SET note = 'edited while NULL' WHERE id = 20;
      INSERT INTO public.nc_upsert VALUES (101, NULL, 'new, undated');`,
    );
    const second = expectSucceeded(await runCli(['run', '--json', file]));
    // the row at the stored cursor, the newly dated one, and the 10 rows still NULL (9 old + 1 new)
    expect(onlyStream(second).rowsRead).toBe(1 + 1 + 10);
    await expectTablesEqual(src, 'public.nc_upsert', dst, 'public.nc_upsert', { rows: 101 });
    // the application's own writes on the source still work
    await cluster.psql(
      src.name,
      `INSERT INTO public.nc_upsert VALUES (500, now(), 'app'); UPDATE public.nc_upsert SET note = 'app' WHERE id = 500; DELETE FROM public.nc_upsert WHERE id = 500;`,
    );
  });

  it('include × append with a primary key: each NULL row is delivered once, also across runs', async () => {
    await cluster.psql(src.name, TABLE_DDL('nc_append'));
    const dst = await scope.create('nullcur_dst_append');
    const file = pipeline('nc_append', 'nc_append', dst, 'append', 'include');
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.nc_append', dst, 'public.nc_append', { rows: 100 });

    await cluster.psql(
      src.name,
      `INSERT INTO public.nc_append VALUES (101, NULL, 'new, undated'), (102, '2027-01-01 00:00+00', 'new, dated');`,
    );
    const second = expectSucceeded(await runCli(['run', '--json', file]));
    expect(onlyStream(second).rowsWritten).toBe(2);
    expect(await duplicateKeys(dst, 'public.nc_append')).toEqual([]);
    await expectTablesEqual(src, 'public.nc_append', dst, 'public.nc_append', { rows: 102 });
  });

  it('skip: the run succeeds without the NULL rows and warns naming stream, column and count', async () => {
    await cluster.psql(src.name, TABLE_DDL('nc_skip'));
    const dst = await scope.create('nullcur_dst_skip');
    const result = await runCli(['run', '--json', pipeline('nc_skip', 'nc_skip', dst, 'upsert', 'skip')]);
    expectSucceeded(result);
    expect(result.stderr).toContain(
      'public.nc_skip: 10 row(s) have a NULL updated_at; no stored cursor orders them, so an incremental read never reads them: left out (on_null_cursor: skip)',
    );
    expect(await rowCount(dst, 'public.nc_skip')).toBe(90);
    expect(await rowCount(dst, 'public.nc_skip', 'updated_at IS NULL')).toBe(0);
  });

  it('on_null_cursor on a stream that is not incremental is a config error naming the key', async () => {
    const dst = await scope.create('nullcur_dst_cfg');
    const doc = pgPipeline({
      name: 'nc_cfg',
      src,
      dst,
      streams: [{ name: 'public.nc_skip', sync_mode: 'full_refresh', on_null_cursor: 'include' }],
      writeMode: 'replace',
    });
    const result = await runCli(['run', writePipelineDoc(doc)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("on_null_cursor applies to sync_mode 'incremental' only");
  });
});

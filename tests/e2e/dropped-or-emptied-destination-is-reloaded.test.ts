// An operator who dropped (or, for an incremental stream, truncated) a destination table to have it
// loaded again used to get only the rows changed since the last run: the stream resumed from the
// watermark (or, with the destination schema gone, from the state DB's checkpoint) into the empty
// table, and every earlier row was missing — reported `succeeded`. Now a destination that holds
// nothing of the stream makes it start from the beginning (a snapshot for CDC), with a warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  duplicateKeys,
  expectSucceeded,
  expectTablesEqual,
  onlyStream,
  pgPipeline,
  runCli,
  testPg,
  writePipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

const TABLE = (name: string): string => `
  CREATE TABLE public.${name} (id int PRIMARY KEY, updated_at int NOT NULL, v text NOT NULL);
  INSERT INTO public.${name} SELECT g, g, 'v' || g FROM generate_series(1, 500) g;`;

describe('a destination table that was dropped or emptied is loaded again in full', () => {
  let src: TestDatabase;

  beforeAll(async () => {
    src = await scope.create(
      'reload_src',
      `${TABLE('inc_up')} ${TABLE('inc_app')} ${TABLE('inc_schema')} ${TABLE('cdc_up')}`,
    );
  });
  afterAll(async () => {
    await cluster.query(
      src.name,
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`,
    );
    await scope.dropAll();
  });

  const pipeline = (
    table: string,
    dst: TestDatabase,
    syncMode: 'incremental' | 'cdc',
    writeMode: 'upsert' | 'append',
  ): string =>
    writePipelineDoc(
      pgPipeline({
        name: `reload_${table}`,
        src,
        dst,
        streams: [
          {
            name: `public.${table}`,
            sync_mode: syncMode,
            ...(syncMode === 'incremental' ? { cursor_field: 'updated_at' } : {}),
          },
        ],
        writeMode,
        resources: { checkpoint_interval_rows: 100, batch_rows: 50 },
      }),
    );

  it('incremental × upsert: the table was dropped; the next run reads from the start, not from the watermark', async () => {
    const dst = await scope.create('reload_dst_up');
    const file = pipeline('inc_up', dst, 'incremental', 'upsert');
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(dst.name, 'DROP TABLE public.inc_up');
    await cluster.psql(src.name, `INSERT INTO public.inc_up VALUES (501, 501, 'new')`);
    const result = await runCli(['run', '--json', file]);
    const run = expectSucceeded(result);
    expect(onlyStream(run).rowsRead).toBe(501);
    expect(result.stderr).toContain(
      'does not exist, but a watermark says rows were committed there: the stream starts from the beginning',
    );
    await expectTablesEqual(src, 'public.inc_up', dst, 'public.inc_up', { rows: 501 });
  });

  it('incremental × append: the table was truncated; it is loaded again once, with no row twice', async () => {
    const dst = await scope.create('reload_dst_app');
    const file = pipeline('inc_app', dst, 'incremental', 'append');
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(dst.name, 'TRUNCATE public.inc_app');
    const result = await runCli(['run', '--json', file]);
    expectSucceeded(result);
    expect(result.stderr).toContain('is empty, but a watermark says rows were committed there (was it truncated?)');
    await expectTablesEqual(src, 'public.inc_app', dst, 'public.inc_app', { rows: 500 });
    // the next run resumes normally again: nothing appended twice
    await cluster.psql(src.name, `INSERT INTO public.inc_app VALUES (501, 501, 'new')`);
    expectSucceeded(await runCli(['run', '--json', file]));
    expect(await duplicateKeys(dst, 'public.inc_app')).toEqual([]);
    await expectTablesEqual(src, 'public.inc_app', dst, 'public.inc_app', { rows: 501 });
  });

  it('the destination schema was dropped with its watermarks: the state DB checkpoint is not used either', async () => {
    const dst = await scope.create('reload_dst_schema');
    const file = pipeline('inc_schema', dst, 'incremental', 'upsert');
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(dst.name, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const result = await runCli(['run', '--json', file]);
    expect(onlyStream(expectSucceeded(result)).rowsRead).toBe(500);
    expect(result.stderr).toContain(
      `public.inc_schema: the destination table "public"."inc_schema" does not exist: starting from the beginning, not from the state DB's resume point`,
    );
    await expectTablesEqual(src, 'public.inc_schema', dst, 'public.inc_schema', { rows: 500 });
  });

  it('cdc × upsert: the table was dropped; the stream is snapshotted again and then follows changes', async () => {
    const dst = await scope.create('reload_dst_cdc');
    const file = pipeline('cdc_up', dst, 'cdc', 'upsert');
    expectSucceeded(await runCli(['run', '--json', file]));
    await cluster.psql(dst.name, 'DROP TABLE public.cdc_up');
    await cluster.psql(
      src.name,
      `INSERT INTO public.cdc_up VALUES (501, 501, 'new'); UPDATE public.cdc_up SET v = 'changed' WHERE id = 1;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.cdc_up', dst, 'public.cdc_up', { rows: 501 });
    await cluster.psql(
      src.name,
      `DELETE FROM public.cdc_up WHERE id = 2; INSERT INTO public.cdc_up VALUES (502, 502, 'newer');`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.cdc_up', dst, 'public.cdc_up', { rows: 501 });
  });
});

// A CDC stream whose table was dropped and created again (a migration, a restore) used to go on as
// if nothing happened: the new table had left the publication with the old one, so nothing written
// to it was published, and every run reported `succeeded` while the destination kept the old
// table's rows. Now the stream records the relation it follows in its checkpoints and fails with
// CDC_TABLE_RECREATED, naming the command that re-snapshots it; the run's other streams go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectSucceeded,
  expectTablesEqual,
  parseJson,
  pgPipeline,
  runCli,
  streamNamed,
  testPg,
  writePipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

describe('a CDC stream whose table was dropped and created again', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let file: string;

  beforeAll(async () => {
    src = await scope.create(
      'recreated_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO public.items SELECT g, 'old ' || g FROM generate_series(1, 10) g;
       CREATE TABLE public.other (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO public.other SELECT g, 'other ' || g FROM generate_series(1, 5) g;`,
    );
    dst = await scope.create('recreated_dst');
    file = writePipelineDoc(
      pgPipeline({
        name: 'cdc_recreated',
        src,
        dst,
        streams: [
          { name: 'public.items', sync_mode: 'cdc' },
          { name: 'public.other', sync_mode: 'cdc' },
        ],
        writeMode: 'upsert',
      }),
    );
  });
  afterAll(async () => {
    await cluster.query(
      src.name,
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database()`,
    );
    await scope.dropAll();
  });

  it('fails CDC_TABLE_RECREATED instead of reporting success without the new rows; the sibling stream goes on', async () => {
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.items', dst, 'public.items', { rows: 10 });

    await cluster.psql(
      src.name,
      `DROP TABLE public.items;
       CREATE TABLE public.items (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO public.items SELECT g, 'new ' || g FROM generate_series(1, 20) g;
       INSERT INTO public.other VALUES (6, 'other 6');`,
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, cliOutput(result)).toBe(5);
    const run = parseJson(result);
    const items = streamNamed(run, 'public.items');
    expect(items.status).toBe('failed');
    expect(items.error?.code).toBe('CDC_TABLE_RECREATED');
    expect(items.error?.message).toContain(
      '"public"."items" is not the table this stream followed: it was dropped and created again',
    );
    expect(items.error?.message).toContain('rapidbyte run <pipeline.yaml> --full-refresh --streams public.items');
    expect(streamNamed(run, 'public.other').status).toBe('succeeded');
    await expectTablesEqual(src, 'public.other', dst, 'public.other', { rows: 6 });

    // it keeps failing until re-snapshotted: never a silent success
    const again = parseJson(await runCli(['run', '--json', file]));
    expect(streamNamed(again, 'public.items').error?.code).toBe('CDC_TABLE_RECREATED');
  });

  it('the command it names re-snapshots the new table, and changes are followed from there', async () => {
    expectSucceeded(await runCli(['run', '--json', file, '--full-refresh', '--streams', 'public.items']));
    await expectTablesEqual(src, 'public.items', dst, 'public.items', { rows: 20 });

    await cluster.psql(
      src.name,
      `INSERT INTO public.items VALUES (21, 'after'); UPDATE public.items SET v = 'changed' WHERE id = 1; DELETE FROM public.items WHERE id = 2;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectTablesEqual(src, 'public.items', dst, 'public.items', { rows: 20 });
    await expectTablesEqual(src, 'public.other', dst, 'public.other', { rows: 6 });
  });
});

// `rapidbyte run --streams a` on a pipeline with CDC streams a and b (one slot for both) used to
// acknowledge the slot past b's committed position: b's changes in between were gone, and b's next
// run failed LSN_GAP (a re-snapshot was the only way back). `--full-refresh --streams a` did the
// same. Now the streams a run leaves out keep their committed LSNs as floors of the shared slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
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

describe('a run of some CDC streams holds the shared slot for the others', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let file: string;

  beforeAll(async () => {
    src = await scope.create(
      'subset_src',
      `CREATE TABLE public.a (id int PRIMARY KEY, v text NOT NULL);
       CREATE TABLE public.b (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO public.a VALUES (1, 'a1'); INSERT INTO public.b VALUES (1, 'b1');`,
    );
    dst = await scope.create('subset_dst');
    file = writePipelineDoc(
      pgPipeline({
        name: 'cdc_subset',
        src,
        dst,
        streams: [
          { name: 'public.a', sync_mode: 'cdc' },
          { name: 'public.b', sync_mode: 'cdc' },
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

  it('--streams a, then --full-refresh --streams a: b still gets every change it missed meanwhile', async () => {
    expectSucceeded(await runCli(['run', '--json', file]));

    await cluster.psql(
      src.name,
      `INSERT INTO public.a VALUES (2, 'a2'); INSERT INTO public.b VALUES (2, 'b2'); UPDATE public.b SET v = 'b1 changed' WHERE id = 1;`,
    );
    const onlyA = expectSucceeded(await runCli(['run', '--json', file, '--streams', 'public.a']));
    expect(onlyStream(onlyA).stream).toBe('public.a');

    await cluster.psql(src.name, `INSERT INTO public.b VALUES (3, 'b3'); DELETE FROM public.b WHERE id = 2;`);
    expectSucceeded(await runCli(['run', '--json', file, '--full-refresh', '--streams', 'public.a']));

    const all = expectSucceeded(await runCli(['run', '--json', file]));
    expect(all.streams.map((s) => [s.stream, s.status])).toEqual([
      ['public.a', 'succeeded'],
      ['public.b', 'succeeded'],
    ]);
    await expectTablesEqual(src, 'public.a', dst, 'public.a', { rows: 2 });
    await expectTablesEqual(src, 'public.b', dst, 'public.b', { rows: 2 });
  });
});

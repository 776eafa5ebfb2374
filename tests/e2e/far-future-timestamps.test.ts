// Timestamps in 294247–294276 AD are valid in Postgres but beyond Arrow's int64 µs since 1970;
// decoding them to Arrow used to fail ("timestamp out of Arrow int64 µs range"), which stopped a
// full refresh that decodes (a transform, or passthrough off) and halted every CDC stream of the
// table. They now travel as raw Postgres values for the batch that holds one, exactly. Dates up to
// 5874897 AD fit Date32 and are checked alongside, with ±infinity and the earliest values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

const DDL = `
CREATE TABLE public.far (id int PRIMARY KEY, ts timestamp, tstz timestamptz, d date, ts3 timestamp(3));
INSERT INTO public.far VALUES
  (1, '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+00', '2024-02-29', '2024-02-29 12:34:56.789'),
  (2, '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00', '5874897-12-31', '294276-12-31 23:59:59.999'),
  (3, '294247-01-10 04:00:54.775806', '294247-01-10 04:00:54.775806+00', '294247-01-10', '294247-01-10 04:00:54.775'),
  (4, '294247-01-10 04:00:54.775807', '294247-01-10 04:00:54.775807+00', '294247-01-11', '294247-01-10 04:00:54.776'),
  (5, 'infinity', 'infinity', 'infinity', 'infinity'),
  (6, '-infinity', '-infinity', '-infinity', '-infinity'),
  (7, '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC', '4713-01-01 BC', '4713-01-01 00:00:00 BC'),
  (8, NULL, NULL, NULL, NULL);`;

async function expectEqual(src: TestDatabase, dst: TestDatabase, dstTable: string): Promise<void> {
  await expectTablesEqual(src, 'public.far', dst, dstTable);
}

describe('timestamps beyond Arrow µs range (294247–294276 AD)', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('far_src', DDL);
    dst = await databases.create('far_dst');
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
  ] as const)('a full refresh keeps them exact (%s)', async (label, env) => {
    const schema = label === 'passthrough' ? 'wh_pass' : 'wh_decoded';
    const file = writePipeline(`version: "1.0"
pipeline: far_${schema}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.far, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: replace
resources: { batch_rows: 3 }
`);
    const json = expectSucceeded(await runCli(['run', '--json', file], { env: { ...env } }));
    expect(json.streams.map((s) => [s.stream, s.status, s.rowsWritten])).toEqual([['public.far', 'succeeded', 8]]);
    await expectEqual(src, dst, `${schema}.far`);
    const types = await cluster.query(
      dst.name,
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '${schema}.far'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(types.rows.map((r: { t: string }) => r.t)).toEqual([
      'integer',
      'timestamp without time zone',
      'timestamp with time zone',
      'date',
      'timestamp(3) without time zone',
    ]);
  });

  it('cdc: the snapshot, then inserts and updates of such values, arrive exactly (the stream does not halt)', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: far_cdc
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.far, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, ', schema: wh_cdc')}
  write_mode: upsert
resources: { batch_rows: 3 }
`);
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_cdc.far');

    await cluster.psql(
      src.name,
      `
INSERT INTO public.far VALUES
  (10, '294270-06-15 01:02:03.000004', '294270-06-15 01:02:03.000004+00', '5874897-01-01', '294270-06-15 01:02:03.004'),
  (11, '2000-01-01', '2000-01-01+00', '2000-01-01', '2000-01-01');
UPDATE public.far SET ts = '294276-12-31 23:59:59.999999', tstz = '294250-01-01 00:00:00+00' WHERE id = 1;
UPDATE public.far SET ts = '1999-12-31 23:59:59.999999' WHERE id = 2;`,
    );
    const changes = expectSucceeded(await runCli(['run', '--json', file]));
    expect(changes.streams.map((s) => [s.stream, s.status])).toEqual([['public.far', 'succeeded']]);
    await expectEqual(src, dst, 'wh_cdc.far');

    // the application's own writes on the published table still work
    await cluster.psql(
      src.name,
      `
INSERT INTO public.far VALUES (12, '294276-01-01', NULL, NULL, NULL);
UPDATE public.far SET d = '5874897-12-31' WHERE id = 12;
DELETE FROM public.far WHERE id = 11;`,
    );
    expectSucceeded(await runCli(['run', '--json', file]));
    await expectEqual(src, dst, 'wh_cdc.far');
  });
});

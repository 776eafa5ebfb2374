// One large value (a 64 MB text) is read and written whole and exact. The source's COPY row
// splitter used to re-join its carried partial row with every socket read, so one big row took
// quadratic time (64 MB: 27 s); its linear growth is asserted by the splitter's unit test, this
// test checks that such a row arrives byte for byte, also decoded to Arrow on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { databaseScope } from '../support/database-scope.js';
import type { RunJson } from '../support/run-json.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
const MB = 1024 * 1024;

function pipelineFile(src: TestDatabase, dst: TestDatabase, schema: string): string {
  return writePipeline(`version: "1.0"
pipeline: large_value_${schema}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.blobs, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, `, schema: ${schema}`)}
  write_mode: replace
`);
}

async function digest(db: TestDatabase, table: string): Promise<unknown[]> {
  const r = await cluster.query(
    db.name,
    `SELECT id, length(body) AS len, md5(body) AS md5, md5(bin) AS bin_md5 FROM ${table} ORDER BY id`,
  );
  return r.rows;
}

describe('a 64 MB value in one row', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    // incompressible text (md5 hex) so TOAST does not shrink it; a small row before and after
    src = await databases.create(
      'big_src',
      `
      CREATE TABLE public.blobs (id int PRIMARY KEY, body text, bin bytea);
      ALTER TABLE public.blobs ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN bin SET STORAGE EXTERNAL;
      INSERT INTO public.blobs VALUES (1, 'small', '\\x00');
      INSERT INTO public.blobs SELECT 2, string_agg(md5(g::text), ''), decode(string_agg(md5((g * 7)::text), ''), 'hex')
        FROM generate_series(1, ${(64 * MB) / 32}) g;
      INSERT INTO public.blobs VALUES (3, 'after', '\\x01');`,
    );
    dst = await databases.create('big_dst');
  }, 120_000);

  afterAll(async () => {
    await databases.dropAll();
  });

  it.each([
    ['passthrough', {}],
    ['decoded to Arrow', { RAPIDBYTE_COPY_PASSTHROUGH: 'off' }],
  ] as const)(
    'a full refresh copies a 64 MB value exactly (%s)',
    async (label, env) => {
      const schema = label === 'passthrough' ? 'wh_pass' : 'wh_decoded';
      const result = await runCli(['run', '--json', pipelineFile(src, dst, schema)], { env: { ...env } });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const json = JSON.parse(result.stdout) as RunJson;
      expect(json.streams.map((s) => [s.stream, s.status, s.rowsWritten])).toEqual([['public.blobs', 'succeeded', 3]]);
      const want = await digest(src, 'public.blobs');
      expect((want[1] as { len: number }).len).toBe(64 * MB);
      expect(await digest(dst, `${schema}.blobs`)).toEqual(want);
      const diff = await cluster.compareTables(src.url, 'public.blobs', dst.url, `${schema}.blobs`);
      expect([diff.onlyInSourceCount, diff.onlyInDestinationCount]).toEqual([0, 0]);
    },
    240_000,
  );
});

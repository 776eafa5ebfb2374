// A transform's dead letters must be in the state DB before the destination's COMMIT covers their
// rows. Killing the process the moment a committed checkpoint reaches the main thread (before it
// records anything) used to lose the letters a transform had posted for that interval: the
// destination's watermark had moved past their rows, so the rerun never read them again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseScope } from '../support/database-scope.js';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();
const ROWS = 3000;
const CHUNK = 1000;
/** Rows the validate rule rejects: ids 50, 150, 250, … have an age out of range. */
const BAD = Array.from({ length: ROWS / 100 }, (_, i) => i * 100 + 50);

const SOURCE = `
  CREATE TABLE public.people (id int PRIMARY KEY, age int NOT NULL);
  INSERT INTO public.people SELECT g, CASE WHEN g % 100 = 50 THEN 500 ELSE 30 END FROM generate_series(1, ${ROWS}) g;
  CREATE TABLE public.good_people AS SELECT * FROM public.people WHERE age <= 120;`;

interface DeadLetterView {
  readonly runId: number;
  readonly stream: string;
  readonly record: { id: number };
  readonly category: string;
}

describe('transform dead letters and a kill right after a destination commit', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('tdk_src', SOURCE);
  });
  afterAll(async () => {
    await databases.dropAll();
  });

  it('killed when the first committed checkpoint arrives: the letters of that interval are stored, the rerun ends with every good row and each bad row once as a dead letter', async () => {
    const dst = await databases.create('tdk_dst');
    const file = writePipeline(`version: "1.0"
pipeline: tdk
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.people, sync_mode: full_refresh }
transforms:
  - { use: transform-validate, config: { rules: [{ column: age, range: { min: 0, max: 120 } }] } }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
  on_data_error: dlq
resources: { checkpoint_interval_rows: ${CHUNK}, batch_rows: 250 }
`);
    const letters = async (): Promise<number[]> => {
      const listed = await runCli(['dlq', 'list', file, '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      return (JSON.parse(listed.stdout) as DeadLetterView[]).map((l) => Number(l.record.id)).sort((a, b) => a - b);
    };

    const killed = await runCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_FAULT: 'exit-on-commit:1' } });
    expect(killed.code, `${killed.stdout}\n${killed.stderr}`).toBe(86);
    const committed = (
      await cluster.query(dst.name, 'SELECT count(*)::int AS n, max(id)::int AS last FROM public.people')
    ).rows[0] as { n: number; last: number };
    expect(committed.n).toBeGreaterThan(0); // the destination committed an interval before the kill
    // every rejected row the committed interval covers is already a dead letter (the transform may
    // have run ahead: letters of rows past the commit may be stored too, the rerun does not repeat them)
    const before = await letters();
    expect(before.filter((id) => id <= committed.last)).toEqual(BAD.filter((id) => id <= committed.last));
    expect(before.every((id) => BAD.includes(id))).toBe(true);

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    const diff = await cluster.compareTables(src.url, 'public.good_people', dst.url, 'public.people');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff.destinationRows).toBe(ROWS - BAD.length);
    expect(await letters()).toEqual(BAD);
  });
});

// `rapidbyte run --full-refresh`: an incremental upsert stream ignores its stored cursor
// for one run — the destination watermark and the state DB — and re-reads the whole table, so
// changes the cursor did not see (rows updated without moving the cursor) arrive too; the run's
// first commit overwrites the watermark, so the next normal run is incremental again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectSucceeded,
  onlyStream,
  pgEndpoint,
  rowCount,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const TABLE = 'public.accounts';
const ROWS = 3000;

function pipelineFile(src: TestDatabase, dst: TestDatabase): string {
  return writePipeline(`version: "1.0"
pipeline: full_refresh_flag
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: incremental, cursor_field: updated }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
  primary_key: [id]
resources: { checkpoint_interval_rows: 500, batch_rows: 200 }
`);
}

function streamOf(result: CliResult): StreamJson {
  return onlyStream(expectSucceeded(result));
}

async function count(db: TestDatabase): Promise<number> {
  return rowCount(db, TABLE);
}

describe('rapidbyte run --full-refresh', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'fr_src',
      `
      CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, updated bigint NOT NULL, balance numeric(12,2) NOT NULL, note text);
      INSERT INTO ${TABLE} SELECT g, g, g * 1.25, md5(g::text) FROM generate_series(1, ${ROWS}) g;`,
    );
    dst = await databases.create('fr_dst');
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('an incremental upsert stream re-reads every row, picks up changes the cursor missed, and ends equal to the source', async () => {
    const file = pipelineFile(src, dst);
    expect(streamOf(await runCli(['run', '--json', file])).rowsRead).toBe(ROWS);

    // changes an incremental run cannot see (the cursor does not move) and ones it can
    await cluster.psql(
      src.name,
      `
      UPDATE ${TABLE} SET balance = balance + 1000, note = 'silently changed' WHERE id % 10 = 0;
      INSERT INTO ${TABLE} SELECT g, g, 0, 'new' FROM generate_series(${ROWS + 1}, ${ROWS + 200}) g;`,
    );
    const size = ROWS + 200;

    const full = streamOf(await runCli(['run', '--json', '--full-refresh', file]));
    expect(full.rowsRead).toBe(size);
    expect(full.rowsWritten).toBe(size);
    const diff = await cluster.compareTables(src.url, TABLE, dst.url, TABLE);
    expect([diff.onlyInSourceCount, diff.onlyInDestinationCount]).toEqual([0, 0]);
    expect([diff.sourceRows, diff.destinationRows]).toEqual([size, size]);
    expect(await count(dst)).toBe(size);

    // the full refresh's commits overwrote the watermark: the next run is incremental again
    // (it re-reads only the last cursor value's rows)
    const next = streamOf(await runCli(['run', '--json', file]));
    expect(next.rowsRead).toBeLessThanOrEqual(1);
    const watermark = (
      await cluster.query(
        dst.name,
        `SELECT payload FROM public._rb_watermarks WHERE pipeline = 'full_refresh_flag' AND stream = $1`,
        [TABLE],
      )
    ).rows;
    expect((watermark[0]?.payload as { cursorValue?: string }).cursorValue).toBe(String(size));
  });
});

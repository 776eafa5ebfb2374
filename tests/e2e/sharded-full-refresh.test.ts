// Key-range shards of a full refresh (see docs/architecture.md#sharding): one stream split into N chains that all read the
// snapshot the engine exported, loading one destination table. The destination equals the source
// as of the plan (rows written after it are absent), a run killed part-way resumes every shard
// after its own last commit, and the plan survives until the pass is complete.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG_COLUMNS_DDL,
  databaseScope,
  duplicateKeys,
  editPipeline,
  expectTablesEqual,
  onlyStream,
  pacedTableDdl,
  parseJson,
  pgEndpoint,
  rowCount,
  runCli,
  shuffledBigTableSql,
  spawnCli,
  streamDoc,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';

function pipelineFile(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  writeMode: string;
  shards: number | string;
  table?: string;
  extra?: string;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
    - { name: ${o.table ?? TABLE}, sync_mode: full_refresh, shards: ${o.shards}${o.extra ?? ''} }
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: ${o.writeMode}
resources: { parallelism: 4, checkpoint_interval_rows: ${CHUNK}, batch_rows: 5000 }
`);
}

function summaryOf(result: CliResult, status = 'succeeded'): StreamJson {
  const json = parseJson(result);
  expect(json.status, result.stderr).toBe(status);
  return onlyStream(json); // one stream in the summary, whatever the shard count
}

async function count(db: TestDatabase, table = TABLE): Promise<number> {
  return rowCount(db, table);
}

async function expectEqual(
  src: TestDatabase,
  srcTable: string,
  dst: TestDatabase,
  rows = ROWS,
  dstTable = TABLE,
): Promise<void> {
  await expectTablesEqual(src, srcTable, dst, dstTable, { rows });
}

/** The shard watermarks dest-postgres keeps for the pipeline (`public.big[shard 2/4]` → payload). */
async function shardWatermarks(
  db: TestDatabase,
  pipeline: string,
): Promise<Record<string, { complete?: boolean; pkAfter?: string[]; pass?: string }>> {
  const r = await cluster.query(
    db.name,
    `SELECT stream, payload FROM public._rb_watermarks WHERE pipeline = $1 AND stream LIKE '%[shard %' ORDER BY stream`,
    [pipeline],
  );
  type Mark = { complete?: boolean; pkAfter?: string[]; pass?: string };
  return Object.fromEntries(r.rows.map((row: { stream: string; payload: Mark }) => [row.stream, row.payload]));
}

/** A destination that commits slowly (a kill lands between commits), without a key (a row loaded twice is seen). */
const PACED_DDL = pacedTableDdl(TABLE, BIG_COLUMNS_DDL);

describe('sharded full refresh', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  beforeAll(async () => {
    src = await databases.create('shard_src');
    // stored in a shuffled order: key ranges are the engine's doing, not the heap's
    await cluster.psql(src.name, shuffledBigTableSql(TABLE, ROWS));
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('200k rows in 4 shards (append): one point-in-time copy — inserts, updates and deletes made after the plan are absent', async () => {
    const name = 'shard_snapshot';
    const dst = await databases.create(name);
    // what the source holds when the plan is made: the destination must equal this
    await cluster.psql(
      src.name,
      `DROP TABLE IF EXISTS public.big_expected; CREATE TABLE public.big_expected AS SELECT * FROM ${TABLE};`,
    );
    const file = pipelineFile({ name, src, dst, writeMode: 'append', shards: 4 });
    const cli = spawnCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_FAULT: 'pause-after-shard-plan:1500' } });
    await waitFor(
      'the shard plan',
      async () => (/planned 4 shards by \(id\)/.test(cli.stderrSoFar()) ? true : undefined),
      { cli },
    );
    // the shards have not started yet (the test pause): change every range of the source
    await cluster.psql(
      src.name,
      `
      INSERT INTO ${TABLE} SELECT g, g / 3, 'late', 0, now() FROM generate_series(${ROWS + 1}, ${ROWS + 1000}) g;
      UPDATE ${TABLE} SET hash = 'changed' WHERE id % 997 = 0;
      DELETE FROM ${TABLE} WHERE id % 1009 = 0;`,
    );
    const done = await cli.exited;
    expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
    const summary = summaryOf(done);
    expect(summary.shards).toBe(4);
    expect([summary.rowsRead, summary.rowsWritten]).toEqual([ROWS, ROWS]);
    // every shard read its own range, in parallel chains
    expect(done.stderr).toMatch(/shard 1\/4: .*read \d+ rows/);
    expect(done.stderr).toMatch(/shard 4\/4: .*read \d+ rows/);
    await expectEqual(src, 'public.big_expected', dst);
    expect(await duplicateKeys(dst, TABLE)).toEqual([]);
    const marks = await shardWatermarks(dst, name);
    expect(Object.keys(marks)).toEqual([1, 2, 3, 4].map((i) => `${TABLE}[shard ${i}/4]`));
    expect(Object.values(marks).every((m) => m.complete === true)).toBe(true);
    expect(new Set(Object.values(marks).map((m) => m.pass)).size).toBe(1);
    // restore the source for the other tests
    await cluster.psql(
      src.name,
      `TRUNCATE ${TABLE}; INSERT INTO ${TABLE} SELECT * FROM public.big_expected; ANALYZE ${TABLE};`,
    );
  });

  it('killed (kill -9) after some shards committed: the rerun reuses the plan, resumes each shard after its last commit, no row lost or doubled', async () => {
    const name = 'shard_kill';
    const dst = await databases.create(name, PACED_DDL);
    const file = pipelineFile({ name, src, dst, writeMode: 'append', shards: 2 });
    const cli = spawnCli(['run', '--json', file]);
    const seen = await waitFor(
      'two committed chunks at the destination',
      async () => {
        const n = await count(dst);
        return n >= 2 * CHUNK ? n : undefined;
      },
      { cli },
    );
    expect(seen).toBeLessThan(ROWS);
    const killed = await cli.kill9();
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stderr).toMatch(/planned 2 shards by \(id\)/);
    await waitFor(
      "the killed run's backends to end",
      async () => {
        const r = await cluster.query(
          'postgres',
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1`,
          [`rapidbyte/${name}%`],
        );
        return r.rows[0].n === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const committed = await count(dst);
    expect(committed % CHUNK).toBe(0); // each shard commits at its chunk ends only
    expect(committed).toBeLessThan(ROWS);
    expect(await duplicateKeys(dst, TABLE)).toEqual([]);
    const before = await shardWatermarks(dst, name);
    expect(Object.values(before).some((m) => m.complete !== true)).toBe(true);

    // the config no longer asks for shards: the unfinished sharded pass is still finished sharded
    const yaml = readFileSync(file, 'utf8');
    editPipeline(file, (p) => (streamDoc(p, TABLE).shards = 1));
    const rerun = await runCli(['run', '--json', file]);
    writeFileSync(file, yaml);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stderr).toMatch(/resuming the sharded pass planned at .*: 2 shards by \(id\)/);
    const summary = summaryOf(rerun);
    expect(summary.shards).toBe(2);
    // only what was not committed is read again
    expect(summary.rowsRead).toBe(ROWS - committed);
    expect(summary.rowsWritten).toBe(ROWS - committed);
    await expectEqual(src, TABLE, dst);
    expect(await duplicateKeys(dst, TABLE)).toEqual([]);
    const after = await shardWatermarks(dst, name);
    expect(Object.values(after).every((m) => m.complete === true && m.pass === Object.values(before)[0]?.pass)).toBe(
      true,
    );

    // the killed run is closed as interrupted with what its shards' recorded commits cover, not left running with zeros
    const runs = JSON.parse((await runCli(['runs', '--json', '--pipeline', file])).stdout) as {
      status: string;
      streams: { status: string; counts: { rowsWritten: number } }[];
    }[];
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'interrupted']);
    const interrupted = runs[1]?.streams[0];
    expect(interrupted?.status).toBe('interrupted');
    expect(interrupted?.counts.rowsWritten).toBeLessThanOrEqual(committed);
    expect((interrupted?.counts.rowsWritten ?? 1) % CHUNK).toBe(0);

    // the pass is complete: the next run is a new pass (a new plan, every row appended again)
    const third = await runCli(['run', '--json', file]);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/planned 2 shards/);
    expect(summaryOf(third).rowsWritten).toBe(ROWS);
    expect(await count(dst)).toBe(2 * ROWS);
  });

  it("fault between a shard's destination commit and the state DB write: the rerun neither loses nor duplicates", async () => {
    const name = 'shard_fault';
    const dst = await databases.create(name, PACED_DDL);
    const file = pipelineFile({ name, src, dst, writeMode: 'append', shards: 3 });
    const faulted = await runCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_FAULT: 'exit-after-commit:3' } });
    expect(faulted.code, `${faulted.stdout}\n${faulted.stderr}`).toBe(86);
    await waitFor(
      "the faulted run's backends to end",
      async () => {
        const r = await cluster.query(
          'postgres',
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1`,
          [`rapidbyte/${name}%`],
        );
        return r.rows[0].n === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const committed = await count(dst);
    expect(committed).toBeGreaterThanOrEqual(CHUNK); // the commit the fault followed is there
    expect(committed).toBeLessThan(ROWS);
    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stderr).toMatch(/resuming the sharded pass/);
    expect(summaryOf(rerun).rowsWritten).toBe(ROWS - committed);
    await expectEqual(src, TABLE, dst);
    expect(await duplicateKeys(dst, TABLE)).toEqual([]);
  });

  it('a composite text/int key, upsert, 3 shards: equal to the source; replace ignores shards and says so', async () => {
    await cluster.psql(
      src.name,
      `
      DROP TABLE IF EXISTS public.regional;
      CREATE TABLE public.regional (region text NOT NULL, n int NOT NULL, v text, PRIMARY KEY (region, n));
      INSERT INTO public.regional SELECT r, g, md5(r || g) FROM unnest(ARRAY['EU', 'US', 'ap-south', 'Ünïcode']) r, generate_series(1, 5000) g;`,
    );
    const name = 'shard_composite';
    const dst = await databases.create(name);
    const file = pipelineFile({ name, src, dst, writeMode: 'upsert', shards: 3, table: 'public.regional' });
    const first = await runCli(['run', '--json', file]);
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stderr).toMatch(/planned 3 shards by \(region, n\)/);
    expect(summaryOf(first).shards).toBe(3);
    await expectEqual(src, 'public.regional', dst, 20_000, 'public.regional');

    const replace = pipelineFile({
      name: 'shard_replace',
      src,
      dst,
      writeMode: 'replace',
      shards: 3,
      table: 'public.regional',
    });
    const replaced = await runCli(['run', '--json', replace]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toMatch(/shards ignored: write_mode replace/);
    expect(summaryOf(replaced).shards).toBeUndefined();
    await expectEqual(src, 'public.regional', dst, 20_000, 'public.regional');
  });
});

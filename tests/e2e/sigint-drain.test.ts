// Graceful interrupt (see docs/architecture.md#interrupts): SIGINT in the middle of a long one-shot full_refresh (200k rows,
// chunks of 20k, append) makes the source stop at its next chunk boundary and the destination
// commit what it received up to that checkpoint: the CLI exits 130 within 10 s, the destination
// holds exactly the rows up to the recorded checkpoint (watermark `pkAfter`/`rows`, and the state
// DB's copy), and the rerun completes to equality (EXCEPT both ways, no duplicates). A stream that
// cannot drain in the grace period is stopped at once (its open transaction rolls back), and a
// replace stream is never half-swapped: it rolls back and the old table stays.
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../packages/engine/dist/state/index.js';
import {
  databaseScope,
  pacedTableDdl,
  pgEndpoint,
  rowCount,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipeline,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 200_000;
const CHUNK = 20_000;
const TABLE = 'public.big';
const PIPELINE = 'sigint_drain';
const COLUMNS_DDL = 'id bigint NOT NULL, hash text NOT NULL, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL';

/** A destination table whose CHECK sleeps 0.1 s every 5,000 ids: each 20k chunk takes ≥ 0.4 s to commit, so the run is long. */
const PACED_DESTINATION = pacedTableDdl(TABLE, COLUMNS_DDL);

async function count(db: TestDatabase): Promise<number> {
  return rowCount(db, TABLE);
}

describe('SIGINT during a one-shot batch run', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'sigint_src',
      `
      CREATE TABLE ${TABLE} (${COLUMNS_DDL}, PRIMARY KEY (id));
      INSERT INTO ${TABLE}
        SELECT g, md5(g::text), g * 1.5, '2024-01-01'::timestamptz + g * interval '1 second'
          FROM generate_series(1, ${ROWS}) g ORDER BY md5(g::text);
      CREATE TABLE public.loose AS SELECT * FROM ${TABLE}; -- no key: read in one COPY, no chunk boundary
      ANALYZE ${TABLE};`,
    );
    dst = await databases.create('sigint_dst', PACED_DESTINATION);
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('drains to a chunk boundary, exits 130 within 10 s with committed rows equal to the checkpoint, and the rerun completes', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: ${PIPELINE}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
resources: { checkpoint_interval_rows: ${CHUNK}, batch_rows: 5000 }
`);
    const cli = spawnCli(['run', '--json', file]);
    const seen = await waitFor(
      'a committed chunk at the destination',
      async () => {
        const n = await count(dst);
        return n >= CHUNK ? n : undefined;
      },
      { cli, timeoutMs: 180_000 },
    );
    expect(seen).toBeLessThan(ROWS);
    const signalled = Date.now();
    process.kill(cli.pid, 'SIGINT');
    const exited = await cli.exited;
    const tookMs = Date.now() - signalled;
    expect(exited.code, `${exited.stdout}\n${exited.stderr}`).toBe(130);
    expect(tookMs).toBeLessThan(10_000);
    const json = JSON.parse(exited.stdout) as RunJson;
    expect(json.status).toBe('cancelled');
    expect(json.streams[0]?.status).toBe('cancelled');
    expect(json.streams[0]?.error).toBeUndefined(); // drained, not torn down
    expect(exited.stderr).toMatch(/interrupted: stopped after chunk \d+/);

    // what is committed is exactly what the checkpoint covers
    const committed = await count(dst);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeGreaterThanOrEqual(seen);
    expect(committed).toBeLessThan(ROWS);
    expect(committed % CHUNK).toBe(0);
    const watermark = (
      await cluster.query(dst.name, `SELECT payload FROM public._rb_watermarks WHERE pipeline = $1 AND stream = $2`, [
        PIPELINE,
        TABLE,
      ])
    ).rows;
    expect(watermark).toHaveLength(1);
    const payload = watermark[0].payload as { pkAfter?: string[]; rows?: number; complete?: boolean };
    expect(payload.complete).toBeUndefined();
    expect(payload.rows).toBe(committed);
    const maxId = (await cluster.query(dst.name, `SELECT max(id)::text AS m FROM ${TABLE}`)).rows[0].m as string;
    expect(payload.pkAfter).toEqual([maxId]);
    const state = openSqliteStateStore(join(dirname(file), '.rapidbyte', 'state.db'));
    try {
      const recorded = JSON.parse((await state.getKv('rapidbyte.checkpoint', `${PIPELINE}/${TABLE}`)) ?? 'null') as
        typeof payload | null;
      expect(recorded?.pkAfter).toEqual([maxId]);
      expect(recorded?.rows).toBe(committed);
    } finally {
      await state.close();
    }
    // eslint-disable-next-line no-console
    console.info(
      `sigint-drain: ${seen} rows committed at the signal, ${committed} after the drain, exit after ${tookMs} ms`,
    );

    const rerun = await runCli(['run', '--json', file]);
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    const again = JSON.parse(rerun.stdout) as RunJson;
    expect(again.streams[0]?.rowsRead).toBe(ROWS - committed);
    const diff = await cluster.compareTables(src.url, TABLE, dst.url, TABLE);
    expect([diff.onlyInSourceCount, diff.onlyInDestinationCount]).toEqual([0, 0]);
    expect([diff.sourceRows, diff.destinationRows]).toEqual([ROWS, ROWS]);
    const dups = (await cluster.query(dst.name, `SELECT id FROM ${TABLE} GROUP BY id HAVING count(*) > 1 LIMIT 5`))
      .rows;
    expect(dups).toEqual([]);
  });

  /** Waits until the pipeline's destination backend is running a COPY (the load is under way). */
  async function waitForCopy(db: TestDatabase, pipeline: string, cli: ReturnType<typeof spawnCli>): Promise<void> {
    await waitFor(
      'a COPY at the destination',
      async () => {
        const r = await cluster.query(
          'postgres',
          `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND query ILIKE 'COPY%' AND state = 'active'`,
          [db.name, `rapidbyte/${pipeline}`],
        );
        return r.rows.length > 0 ? true : undefined;
      },
      { cli, timeoutMs: 180_000 },
    );
  }

  it('a stream that has not drained within the grace period is stopped at once: its open transaction rolls back', async () => {
    const name = 'sigint_grace';
    const db = await databases.create('sigint_grace_dst', PACED_DESTINATION.replaceAll(TABLE, 'public.loose'));
    const file = writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.loose, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(db.url)}
  write_mode: append
resources: { checkpoint_interval_rows: ${CHUNK}, batch_rows: 5000 }
`);
    const cli = spawnCli(['run', '--json', file], { env: { RAPIDBYTE_TEST_DRAIN_GRACE_MS: '300' } });
    await waitForCopy(db, name, cli);
    const signalled = Date.now();
    process.kill(cli.pid, 'SIGINT');
    const exited = await cli.exited;
    expect(exited.code, `${exited.stdout}\n${exited.stderr}`).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(exited.stderr).toContain('still draining after 300 ms');
    const json = JSON.parse(exited.stdout) as RunJson;
    expect(json.streams[0]?.status).toBe('cancelled');
    expect(json.streams[0]?.error?.code).toBe('CANCELLED');
    expect(Number((await cluster.query(db.name, 'SELECT count(*)::int AS n FROM public.loose')).rows[0].n)).toBe(0);
  });

  it('replace is never half-swapped: an interrupted replace rolls back and the old table stays', async () => {
    const name = 'sigint_replace';
    const db = await databases.create(
      'sigint_replace_dst',
      `${PACED_DESTINATION}
      INSERT INTO ${TABLE} VALUES (-1, 'old', 0, '2000-01-01'), (-2, 'old', 0, '2000-01-01');`,
    );
    const file = writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: ${TABLE}, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(db.url)}
  write_mode: replace
resources: { checkpoint_interval_rows: ${CHUNK}, batch_rows: 5000 }
`);
    const cli = spawnCli(['run', '--json', file]);
    await waitForCopy(db, name, cli);
    const signalled = Date.now();
    process.kill(cli.pid, 'SIGINT');
    const exited = await cli.exited;
    expect(exited.code, `${exited.stdout}\n${exited.stderr}`).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const json = JSON.parse(exited.stdout) as RunJson;
    expect(json.streams[0]?.status).toBe('cancelled');
    expect(json.streams[0]?.error?.code).toBe('CANCELLED');
    const rows = (await cluster.query(db.name, `SELECT id::int AS id FROM ${TABLE} ORDER BY id`)).rows.map(
      (r: { id: number }) => r.id,
    );
    expect(rows).toEqual([-2, -1]);
  });
});

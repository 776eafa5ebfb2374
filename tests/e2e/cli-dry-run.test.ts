// `rapidbyte run --dry-run` and `--limit`: the sources are read, the rows counted and
// dropped; the destination is never opened (no table, no watermark table), the state DB records no
// run, cursor or checkpoint, CDC streams are skipped with a warning (no slot is created), `--limit`
// caps the rows read per stream, and `--limit` without `--dry-run` is a usage error (exit 2).
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../packages/engine/dist/state/index.js';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type RunJson,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const ROWS = 1000;

function pipelineFile(name: string, src: TestDatabase, dst: TestDatabase): string {
  return writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.full_items, sync_mode: full_refresh }
    - { name: public.inc_items, sync_mode: incremental, cursor_field: cur }
    - { name: public.events, sync_mode: cdc }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
  primary_key: [id]
resources: { checkpoint_interval_rows: 100, batch_rows: 40 }
`);
}

const byName = (json: RunJson): Record<string, StreamJson> =>
  Object.fromEntries(json.streams.map((s) => [s.stream, s]));

async function userTables(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query(
    db.name,
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  return r.rows.map((row: { t: string }) => row.t);
}

async function slotsOf(db: TestDatabase): Promise<string[]> {
  const r = await cluster.query('postgres', `SELECT slot_name FROM pg_replication_slots WHERE database = $1`, [
    db.name,
  ]);
  return r.rows.map((row: { slot_name: string }) => row.slot_name);
}

/** What the pipeline's state DB holds: runs, and per batch stream its cursor and checkpoint. */
async function stateOf(
  file: string,
  pipeline: string,
): Promise<{ runs: number; cursors: unknown[]; checkpoints: unknown[] }> {
  const state = openSqliteStateStore(join(dirname(file), '.rapidbyte', 'state.db'));
  try {
    const streams = ['public.full_items', 'public.inc_items', 'public.events'];
    return {
      runs: (await state.listRuns({ pipeline })).length,
      cursors: (await Promise.all(streams.map((s) => state.getCursor(pipeline, s)))).filter((c) => c !== undefined),
      checkpoints: (
        await Promise.all(streams.map((s) => state.getKv('rapidbyte.checkpoint', `${pipeline}/${s}`)))
      ).filter((c) => c !== undefined),
    };
  } finally {
    await state.close();
  }
}

describe('rapidbyte run --dry-run', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create(
      'dry_src',
      `
      CREATE TABLE public.full_items (id bigint PRIMARY KEY, name text NOT NULL);
      INSERT INTO public.full_items SELECT g, 'item ' || g FROM generate_series(1, ${ROWS}) g;
      CREATE TABLE public.inc_items (id bigint PRIMARY KEY, cur bigint NOT NULL, name text);
      INSERT INTO public.inc_items SELECT g, g / 7, md5(g::text) FROM generate_series(1, ${ROWS}) g;
      CREATE TABLE public.events (id bigint PRIMARY KEY, what text);
      INSERT INTO public.events VALUES (1, 'created');`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('reads every batch stream, writes nothing, records nothing and skips CDC streams with a warning', async () => {
    const dst = await databases.create('dry_dst');
    const file = pipelineFile('dry_all', src, dst);
    const result = await runCli(['run', '--json', '--dry-run', file]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const json = parseJson(result);
    expect(json.status).toBe('succeeded');
    expect(json.dryRun).toBe(true);
    const streams = byName(json);
    expect(Object.keys(streams).sort()).toEqual(['public.full_items', 'public.inc_items']);
    for (const s of Object.values(streams)) {
      expect(s.status).toBe('succeeded');
      expect(s.rowsRead).toBe(ROWS);
      expect(s.rowsWritten).toBe(0);
    }
    expect(json.skipped?.map((s) => s.stream)).toEqual(['public.events']);
    expect(result.stderr).toMatch(/public\.events.*skipped/);
    expect(await userTables(dst)).toEqual([]);
    expect(await slotsOf(src)).toEqual([]);
    expect(await stateOf(file, 'dry_all')).toEqual({ runs: 0, cursors: [], checkpoints: [] });
  });

  it('--limit N reads at most N rows per stream (the last frame is sliced); the summary says it was a dry run', async () => {
    const dst = await databases.create('dry_lim_dst');
    const file = pipelineFile('dry_limit', src, dst);
    const json = parseJson(await runCli(['run', '--json', '--dry-run', '--limit', '250', file]));
    expect(json.status).toBe('succeeded');
    for (const s of json.streams) expect([s.stream, s.rowsRead]).toEqual([s.stream, 250]);

    const text = await runCli(['run', '--dry-run', '--limit', '7', '--no-progress', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('dry run: nothing was written');
    expect(text.stdout).toContain('public.full_items 7 rows read');
    expect(text.stdout).toContain('public.inc_items 7 rows read');
    expect(await userTables(dst)).toEqual([]);
    expect((await stateOf(file, 'dry_limit')).runs).toBe(0);
  });

  it('--limit without --dry-run is a usage error (exit 2) and nothing runs', async () => {
    const dst = await databases.create('dry_nolim_dst');
    const file = pipelineFile('dry_nolimit', src, dst);
    const result = await runCli(['run', '--limit', '10', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--limit only works with --dry-run');
    expect(await userTables(dst)).toEqual([]);
    const bad = await runCli(['run', '--dry-run', '--limit', 'ten', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit must be a non-negative integer');
  });

  it('after a real run, a dry run reads what the next run would (incremental: only the last cursor value rows) and --full-refresh everything', async () => {
    const dst = await databases.create('dry_after_dst');
    const file = pipelineFile('dry_after', src, dst);
    const real = await runCli(['run', '--json', '--streams', 'public.full_items,public.inc_items', file]);
    expect(real.code, `${real.stdout}\n${real.stderr}`).toBe(0);
    const before = await stateOf(file, 'dry_after');
    expect(before.runs).toBe(1);

    // the source re-reads the last cursor value's rows (ties), as the next real run does
    const dry = byName(parseJson(await runCli(['run', '--json', '--dry-run', file])));
    expect(dry['public.inc_items']?.rowsRead).toBeLessThan(10);
    expect(dry['public.full_items']?.rowsRead).toBe(ROWS);
    const fresh = byName(parseJson(await runCli(['run', '--json', '--dry-run', '--full-refresh', file])));
    expect(fresh['public.inc_items']?.rowsRead).toBe(ROWS);
    expect(await stateOf(file, 'dry_after')).toEqual(before);
    expect(await slotsOf(src)).toEqual([]);
    const next = byName(parseJson(await runCli(['run', '--json', '--streams', 'public.inc_items', file])));
    expect(next['public.inc_items']?.rowsRead).toBe(dry['public.inc_items']?.rowsRead);
  });
});

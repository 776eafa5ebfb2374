// `rapidbyte state show` / `state reset` of a pipeline whose streams come from a pattern
// (`name: public.t*`). They used to see only the pattern itself: reset printed "starts from
// scratch" while the next run continued from the cursor, `--stream public.t1` was refused, and for
// a CDC pattern pipeline reset dropped the slot but kept the streams' LSNs, so the next run failed
// SLOT_MISSING asking for another `state reset` — a loop only `--full-refresh` escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliOutput,
  databaseScope,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  runSucceeded,
  testPg,
  writePipeline,
  type StreamJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

interface StateView {
  stream: string;
  cursorValue?: string;
  lsn?: string;
  checkpoint?: unknown;
  resetPending: boolean;
}

function pipeline(o: { name: string; src: TestDatabase; dst: TestDatabase; stream: string }): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
    - ${o.stream}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: upsert
resources: { batch_rows: 1000 }
`);
}

/** `run --json`: exit 0; rows read per stream. */
async function runOk(file: string): Promise<Record<string, number>> {
  const json = await runSucceeded(file);
  return Object.fromEntries(json.streams.map((s: StreamJson) => [s.stream, s.rowsRead]));
}

async function stateViews(file: string, ...args: string[]): Promise<StateView[]> {
  const result = await runCli(['state', 'show', file, '--json', ...args]);
  expect(result.code, cliOutput(result)).toBe(0);
  return parseJson<StateView[]>(result);
}

async function reset(file: string, ...args: string[]): Promise<string> {
  const result = await runCli(['state', 'reset', file, ...args]);
  expect(result.code, cliOutput(result)).toBe(0);
  return result.stdout;
}

async function expectEqual(src: TestDatabase, table: string, dst: TestDatabase): Promise<void> {
  await expectTablesEqual(src, table, dst, table);
}

/**
 * The source application's own writes on its table still work (and flow through the next run):
 * an insert, an update, and a delete of a row it inserted (CDC: also of a row loaded before).
 */
async function applicationWrites(
  src: TestDatabase,
  table: string,
  id: number,
  options: { deleteLoaded?: boolean } = {},
): Promise<void> {
  await cluster.psql(
    src.name,
    `
    INSERT INTO ${table} (id, cur, name) VALUES (${id}, 1000000, 'app insert'), (${id + 1}, 1000000, 'app insert 2');
    UPDATE ${table} SET name = 'app update', cur = 1000001 WHERE id = ${id};
    DELETE FROM ${table} WHERE id = ${id + 1}${options.deleteLoaded ? ' OR id = 1' : ''};`,
  );
  const r = await cluster.query(src.name, `SELECT name FROM ${table} WHERE id IN (${id}, ${id + 1})`);
  expect(r.rows).toEqual([{ name: 'app update' }]);
}

const TABLES_DDL = (rows: Record<string, number>): string =>
  Object.entries(rows)
    .map(
      ([t, n]) => `CREATE TABLE public.${t} (id int PRIMARY KEY, cur bigint NOT NULL, name text NOT NULL);
      INSERT INTO public.${t} SELECT g, g, '${t} #' || g FROM generate_series(1, ${n}) g;`,
    )
    .join('\n');

afterAll(async () => {
  await scope.dropAll();
});

describe('state show / reset of pattern-expanded streams', () => {
  let src: TestDatabase;

  beforeAll(async () => {
    src = await scope.create('state_pat_src', TABLES_DDL({ t1: 30, t2: 40, c1: 25, c2: 35 }));
  });

  it('incremental pattern pipeline: show lists the expanded streams, --stream public.t1 works, and reset makes the next run start from scratch', async () => {
    const dst = await scope.create('state_pat_inc_dst');
    const file = pipeline({
      name: 'state_pat_inc',
      src,
      dst,
      stream: '{ name: "public.t*", sync_mode: incremental, cursor_field: cur }',
    });
    expect(await runOk(file)).toEqual({ 'public.t1': 30, 'public.t2': 40 });

    const views = await stateViews(file);
    expect(views.map((v) => [v.stream, v.cursorValue, v.resetPending])).toEqual([
      ['public.t1', '30', false],
      ['public.t2', '40', false],
    ]);
    expect((await stateViews(file, '--stream', 'public.t1')).map((v) => v.stream)).toEqual(['public.t1']);
    const text = await runCli(['state', 'show', file]);
    expect(text.stdout).toContain('public.t2\n  cursor cur = 40');
    const unknown = await runCli(['state', 'show', file, '--stream', 'public.nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("stream 'public.nope' is not in");

    // nothing new: the cursor holds (upsert re-reads the row at the stored cursor value)
    expect(await runOk(file)).toEqual({ 'public.t1': 1, 'public.t2': 1 });

    // one stream
    expect(await reset(file, '--stream', 'public.t1')).toContain(
      'reset public.t1: the next run starts it from scratch',
    );
    expect((await stateViews(file, '--stream', 'public.t1'))[0]).toMatchObject({
      stream: 'public.t1',
      resetPending: true,
    });
    expect(await runOk(file)).toEqual({ 'public.t1': 30, 'public.t2': 1 });

    // the whole pipeline
    expect(await reset(file)).toContain('reset public.t1, public.t2: the next run starts them from scratch');
    const cleared = await stateViews(file);
    expect(cleared.map((v) => [v.stream, v.cursorValue ?? null, v.checkpoint ?? null, v.resetPending])).toEqual([
      ['public.t1', null, null, true],
      ['public.t2', null, null, true],
    ]);
    expect(await runOk(file)).toEqual({ 'public.t1': 30, 'public.t2': 40 });
    await expectEqual(src, 'public.t1', dst);
    await expectEqual(src, 'public.t2', dst);

    await applicationWrites(src, 'public.t1', 500);
    await runOk(file);
    await expectEqual(src, 'public.t1', dst);
  });

  it('cdc pattern pipeline: reset drops the slot and every stream LSN, so the next run re-snapshots (no SLOT_MISSING loop)', async () => {
    const dst = await scope.create('state_pat_cdc_dst');
    const file = pipeline({ name: 'state_pat_cdc', src, dst, stream: '{ name: "public.c*", sync_mode: cdc }' });
    expect(await runOk(file)).toEqual({ 'public.c1': 25, 'public.c2': 35 });
    await applicationWrites(src, 'public.c1', 600, { deleteLoaded: true });
    await runOk(file);
    await expectEqual(src, 'public.c1', dst);
    const out = await reset(file);
    expect(out).toMatch(/dropped replication slot \S+ at the source/);
    // the next run re-snapshots every stream (it used to fail SLOT_MISSING, asking for another reset)
    const rows = await runOk(file);
    expect(rows['public.c1']).toBeGreaterThanOrEqual(24);
    expect(rows['public.c2']).toBeGreaterThanOrEqual(35);
    await expectEqual(src, 'public.c1', dst);
    await expectEqual(src, 'public.c2', dst);
    expect(out).toContain('reset public.c1, public.c2: the next run starts them from scratch');
    const after = await stateViews(file);
    expect(after.map((v) => [v.stream, v.resetPending])).toEqual([
      ['public.c1', false],
      ['public.c2', false],
    ]);
    for (const v of after) expect(v.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

    // and streams changes again afterwards; one stream can be reset by its expanded name
    await applicationWrites(src, 'public.c2', 700, { deleteLoaded: true });
    await runOk(file);
    await expectEqual(src, 'public.c2', dst);
    expect(await reset(file, '--stream', 'public.c2')).toContain('reset public.c2');
    expect((await runOk(file))['public.c2']).toBeGreaterThanOrEqual(35);
    await expectEqual(src, 'public.c2', dst);
    await expectEqual(src, 'public.c1', dst);
  });
});

// What `rapidbyte run` records in the SQLite state DB: runs, stream rows with counts and errors,
// and the transition audit of every stream (see docs/architecture.md#state-db).
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openSqliteStateStore,
  type RunRecord,
  type StateStore,
  type TransitionRecord,
} from '../../packages/engine/dist/state/index.js';
import {
  parseJson,
  pgPipeline,
  runCli,
  testPg,
  writePipelineDoc,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function pipelineFile(name: string, src: TestDatabase, dst: TestDatabase, streams: string[]): string {
  return writePipelineDoc(
    pgPipeline({
      name,
      src,
      dst,
      streams: streams.map((s) => ({ name: s, sync_mode: 'full_refresh' })),
      writeMode: 'replace',
    }),
  );
}

async function run(file: string, expectedCode: number): Promise<RunJson> {
  const result = await runCli(['run', '--json', file]);
  expect(result.code, result.stderr).toBe(expectedCode);
  return parseJson(result);
}

/** Opens the pipeline's default state DB (after the CLI exited), reads, closes. */
async function readState<T>(file: string, read: (state: StateStore) => Promise<T>): Promise<T> {
  const state = openSqliteStateStore(join(dirname(file), '.rapidbyte', 'state.db'));
  try {
    return await read(state);
  } finally {
    await state.close();
  }
}

/** `from → to` pairs, timestamps in order. */
function expectTransitions(
  transitions: TransitionRecord[],
  runId: number,
  stream: string,
  path: (string | null)[][],
): void {
  expect(transitions.map((t) => [t.from, t.to])).toEqual(path);
  for (const t of transitions) {
    expect(t.runId).toBe(runId);
    expect(t.stream).toBe(stream);
    expect(t.at).toMatch(ISO_UTC);
  }
  const times = transitions.map((t) => Date.parse(t.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
}

describe('run history in the state DB', () => {
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await cluster.createDatabase('hist_src');
    dst = await cluster.createDatabase('hist_dst');
    await cluster.loadFixture(src.name, 'demo.sql');
  });

  afterAll(async () => {
    await cluster.dropDatabase(src.name);
    await cluster.dropDatabase(dst.name);
  });

  it('a successful run: one succeeded run, a row per stream with its counts, pending → running → succeeded', async () => {
    const started = Date.now();
    const file = pipelineFile('hist_ok', src, dst, ['shop.customers', 'shop.orders']);
    const json = await run(file, 0);
    const finished = Date.now();
    const { runs, transitions } = await readState(file, async (state) => ({
      runs: await state.listRuns({ pipeline: 'hist_ok' }),
      transitions: await Promise.all(
        ['shop.customers', 'shop.orders'].map((s) => state.listTransitions(json.runId, s)),
      ),
    }));
    expect(runs).toHaveLength(1);
    const record = runs[0] as RunRecord;
    expect(record.runId).toBe(json.runId);
    expect(record.pipeline).toBe('hist_ok');
    expect(record.status).toBe('succeeded');
    expect(record.startedAt).toMatch(ISO_UTC);
    expect(record.finishedAt).toMatch(ISO_UTC);
    expect(Date.parse(record.startedAt)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(record.finishedAt as string)).toBeLessThanOrEqual(finished + 1000);
    expect(Date.parse(record.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));

    expect(
      record.streams.map((s) => [s.stream, s.status, s.attempts, s.counts.rowsRead, s.counts.rowsWritten, s.error]),
    ).toEqual([
      ['shop.customers', 'succeeded', 1, 1000, 1000, undefined],
      ['shop.orders', 'succeeded', 1, 10000, 10000, undefined],
    ]);
    record.streams.forEach((s, i) => {
      // the stored counters are the ones the CLI reported
      expect(s.counts.bytesRead).toBe(json.streams[i]?.bytesRead);
      expect(s.counts.bytesWritten).toBe(json.streams[i]?.bytesWritten);
      expect(s.counts.bytesRead).toBeGreaterThan(0);
      expect(s.startedAt).toMatch(ISO_UTC);
      expect(s.finishedAt).toMatch(ISO_UTC);
      expect(Date.parse(s.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
      expect(Date.parse(s.finishedAt as string)).toBeLessThanOrEqual(Date.parse(record.finishedAt as string));
    });

    expectTransitions(transitions[0] as TransitionRecord[], json.runId, 'shop.customers', [
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
    expectTransitions(transitions[1] as TransitionRecord[], json.runId, 'shop.orders', [
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
    // the stream row's times are those of its transitions
    expect(record.streams[0]?.startedAt).toBe(transitions[0]?.[1]?.at);
    expect(record.streams[0]?.finishedAt).toBe(transitions[0]?.[2]?.at);
  });

  it('a partial failure: run partial, the failed stream keeps its error code and message, running → failed', async () => {
    const file = pipelineFile('hist_partial', src, dst, ['shop.customers', 'shop.missing_table']);
    const json = await run(file, 5);
    const { record, transitions, ok } = await readState(file, async (state) => ({
      record: await state.getRun(json.runId),
      transitions: await state.listTransitions(json.runId, 'shop.missing_table'),
      ok: await state.listTransitions(json.runId, 'shop.customers'),
    }));
    expect(record?.status).toBe('partial');
    expect(record?.finishedAt).toMatch(ISO_UTC);
    const [good, bad] = record?.streams ?? [];
    expect([good?.stream, good?.status, good?.counts.rowsWritten, good?.error]).toEqual([
      'shop.customers',
      'succeeded',
      1000,
      undefined,
    ]);
    expect([bad?.stream, bad?.status, bad?.counts.rowsRead, bad?.counts.rowsWritten]).toEqual([
      'shop.missing_table',
      'failed',
      0,
      0,
    ]);
    expect(bad?.error?.code).toBe('TABLE_NOT_FOUND');
    expect(bad?.error?.kind).toBe('permanent');
    expect(bad?.error?.message).toContain('shop.missing_table');
    expect(bad?.finishedAt).toMatch(ISO_UTC);

    expectTransitions(transitions, json.runId, 'shop.missing_table', [
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'failed'],
    ]);
    expect(transitions[2]?.reason).toContain('TABLE_NOT_FOUND');
    expect(transitions[2]?.reason).toContain('shop.missing_table');
    expectTransitions(ok, json.runId, 'shop.customers', [
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
  });

  it('two runs: listRuns has both, newest first, with increasing run ids', async () => {
    const file = pipelineFile('hist_twice', src, dst, ['shop.customers']);
    const first = await run(file, 0);
    const second = await run(file, 0);
    expect(second.runId).toBeGreaterThan(first.runId);
    const runs = await readState(file, (state) => state.listRuns({ pipeline: 'hist_twice' }));
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      [second.runId, 'succeeded'],
      [first.runId, 'succeeded'],
    ]);
    expect(Date.parse(runs[0]?.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(runs[1]?.finishedAt as string));
    for (const r of runs)
      expect(r.streams.map((s) => [s.stream, s.counts.rowsWritten])).toEqual([['shop.customers', 1000]]);
    // listRuns without a filter and with a limit
    expect((await readState(file, (state) => state.listRuns({ limit: 1 }))).map((r) => r.runId)).toEqual([
      second.runId,
    ]);
  });
});

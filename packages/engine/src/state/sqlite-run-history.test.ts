import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from './sqlite-state-store.js';
import { StateError } from './state-error.js';
import type { StateStore } from './state-store.js';

let dir: string;
let store: StateStore;
let tick: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  tick = 0;
  // Each timestamp is one second after the previous one, so order is visible in the times too.
  store = openSqliteStateStore(join(dir, 'state.db'), { now: () => new Date(Date.UTC(2024, 0, 1) + 1000 * tick++) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function stateErrorOf(fn: () => unknown): StateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }
  throw new Error('expected a StateError');
}

describe('run lifecycle', () => {
  it('records a run, its streams and every transition in order', () => {
    const runId = store.beginRun('orders-pipeline', ['orders', 'customers']);
    const begun = store.getRun(runId);
    expect(begun).toMatchObject({ runId, pipeline: 'orders-pipeline', status: 'running', startedAt: '2024-01-01T00:00:00.000Z' });
    expect(begun?.finishedAt).toBeUndefined();
    expect(begun?.streams.map((s) => [s.stream, s.status, s.attempts])).toEqual([['orders', 'pending', 0], ['customers', 'pending', 0]]);

    store.transition(runId, 'orders', 'running');
    store.transition(runId, 'orders', 'succeeded', 'done');
    store.transition(runId, 'customers', 'cancelled', 'user interrupt');
    store.recordStreamCounts(runId, 'orders', { rowsRead: 10, rowsWritten: 9, bytesRead: 1000, bytesWritten: 900, rowsDeadLettered: 1 });
    store.finishRun(runId, 'partial');

    expect(store.listTransitions(runId).map((t) => `${t.stream}:${t.from ?? '-'}>${t.to}`)).toEqual([
      'orders:->pending', 'customers:->pending', 'orders:pending>running', 'orders:running>succeeded', 'customers:pending>cancelled',
    ]);
    const ordersTransitions = store.listTransitions(runId, 'orders');
    expect(ordersTransitions.map((t) => t.to)).toEqual(['pending', 'running', 'succeeded']);
    expect(ordersTransitions[2]).toMatchObject({ reason: 'done', at: '2024-01-01T00:00:02.000Z' });
    expect(ordersTransitions[0].reason).toBeUndefined();

    const run = store.getRun(runId);
    expect(run?.status).toBe('partial');
    expect(run?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const orders = run?.streams[0];
    expect(orders).toMatchObject({
      status: 'succeeded', attempts: 1, startedAt: '2024-01-01T00:00:01.000Z', finishedAt: '2024-01-01T00:00:02.000Z',
      counts: { rowsRead: 10, rowsWritten: 9, bytesRead: 1000, bytesWritten: 900, rowsSkipped: 0, rowsDeadLettered: 1 },
    });
    expect(orders?.error).toBeUndefined();
    expect(run?.streams[1]).toMatchObject({ status: 'cancelled', attempts: 0, finishedAt: '2024-01-01T00:00:03.000Z' });
    expect(run?.streams[1].startedAt).toBeUndefined();
  });

  it('refuses illegal transitions and leaves no trace of them', () => {
    const runId = store.beginRun('p', ['s']);
    const skip = stateErrorOf(() => store.transition(runId, 's', 'succeeded'));
    expect(skip.code).toBe('ILLEGAL_TRANSITION');
    expect(skip.kind).toBe('permanent');
    expect(skip.details).toMatchObject({ runId, stream: 's', from: 'pending', to: 'succeeded' });
    expect(skip.message).toContain('pending to succeeded');

    store.transition(runId, 's', 'running');
    store.transition(runId, 's', 'failed');
    for (const to of ['running', 'retrying', 'succeeded', 'pending'] as const) {
      expect(stateErrorOf(() => store.transition(runId, 's', to)).code).toBe('ILLEGAL_TRANSITION');
    }
    expect(store.listTransitions(runId, 's').map((t) => t.to)).toEqual(['pending', 'running', 'failed']);
    expect(store.getRun(runId)?.streams[0].status).toBe('failed');
  });

  it('counts attempts: running -> retrying -> running is two, startedAt stays the first', () => {
    const runId = store.beginRun('p', ['s']);
    store.transition(runId, 's', 'running');
    store.recordStreamCounts(runId, 's', { rowsRead: 5, rowsWritten: 0, bytesRead: 50, bytesWritten: 0 },
      { code: 'CONNECTION_RESET', kind: 'transient', message: 'socket hang up' });
    store.transition(runId, 's', 'retrying', 'CONNECTION_RESET');
    expect(store.getRun(runId)?.streams[0].error).toEqual({ code: 'CONNECTION_RESET', kind: 'transient', message: 'socket hang up' });
    store.transition(runId, 's', 'running');
    store.recordStreamCounts(runId, 's', { rowsRead: 7, rowsWritten: 7, bytesRead: 70, bytesWritten: 70 });
    store.transition(runId, 's', 'succeeded');
    const stream = store.getRun(runId)?.streams[0];
    expect(stream?.attempts).toBe(2);
    expect(stream?.startedAt).toBe('2024-01-01T00:00:01.000Z');
    expect(stream?.counts.rowsWritten).toBe(7);
    expect(stream?.error).toBeUndefined();
  });

  it('names what is missing or wrong', () => {
    expect(stateErrorOf(() => store.transition(999, 's', 'running')).code).toBe('RUN_NOT_FOUND');
    const runId = store.beginRun('p', ['s']);
    expect(stateErrorOf(() => store.transition(runId, 'nope', 'running')).code).toBe('STREAM_NOT_FOUND');
    expect(stateErrorOf(() => store.recordStreamCounts(runId, 'nope', { rowsRead: 0, rowsWritten: 0, bytesRead: 0, bytesWritten: 0 })).code).toBe('STREAM_NOT_FOUND');
    expect(stateErrorOf(() => store.recordStreamCounts(runId, 's', { rowsRead: -1, rowsWritten: 0, bytesRead: 0, bytesWritten: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(stateErrorOf(() => store.recordStreamCounts(runId, 's', { rowsRead: 1.5, rowsWritten: 0, bytesRead: 0, bytesWritten: 0 })).code).toBe('INVALID_ARGUMENT');
    expect(stateErrorOf(() => store.beginRun('p', ['a', 'a'])).code).toBe('DUPLICATE_STREAM');
    expect(stateErrorOf(() => store.finishRun(runId, 'running')).code).toBe('INVALID_ARGUMENT');
    expect(stateErrorOf(() => store.finishRun(999, 'failed')).code).toBe('RUN_NOT_FOUND');
    store.finishRun(runId, 'failed');
    expect(stateErrorOf(() => store.finishRun(runId, 'succeeded')).code).toBe('RUN_ALREADY_FINISHED');
    expect(store.getRun(runId)?.status).toBe('failed');
    expect(store.getRun(999)).toBeUndefined();
  });

  it('a run with no streams is allowed', () => {
    const runId = store.beginRun('empty', []);
    expect(store.getRun(runId)?.streams).toEqual([]);
  });
});

describe('listRuns', () => {
  it('lists newest first, filters by pipeline, limits, and carries per-stream counts', () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const pipeline = i % 2 === 0 ? 'even' : 'odd';
      const runId = store.beginRun(pipeline, ['a', 'b']);
      store.recordStreamCounts(runId, 'a', { rowsRead: i, rowsWritten: i, bytesRead: 10 * i, bytesWritten: 10 * i });
      store.recordStreamCounts(runId, 'b', { rowsRead: 100 + i, rowsWritten: 100 + i, bytesRead: 0, bytesWritten: 0, rowsSkipped: i });
      ids.push(runId);
    }
    expect(store.listRuns().map((r) => r.runId)).toEqual([...ids].reverse());
    expect(store.listRuns({ limit: 2 }).map((r) => r.runId)).toEqual([ids[4], ids[3]]);
    const even = store.listRuns({ pipeline: 'even' });
    expect(even.map((r) => r.runId)).toEqual([ids[4], ids[2], ids[0]]);
    expect(store.listRuns({ pipeline: 'odd', limit: 1 }).map((r) => r.runId)).toEqual([ids[3]]);
    expect(store.listRuns({ pipeline: 'none' })).toEqual([]);
    expect(even[0].streams.map((s) => [s.stream, s.counts.rowsRead, s.counts.rowsSkipped])).toEqual([['a', 4, 0], ['b', 104, 4]]);
    expect(even[2].streams.map((s) => s.counts.bytesRead)).toEqual([0, 0]);
    expect(stateErrorOf(() => store.listRuns({ limit: 0 })).code).toBe('INVALID_ARGUMENT');
  });

  it('survives reopening the file', () => {
    const runId = store.beginRun('p', ['s']);
    store.transition(runId, 's', 'running');
    store.close();
    store = openSqliteStateStore(join(dir, 'state.db'));
    expect(store.listRuns()[0].streams[0]).toMatchObject({ status: 'running', attempts: 1 });
  });

  it('throws STORE_CLOSED after close', () => {
    store.close();
    expect(stateErrorOf(() => store.listRuns()).code).toBe('STORE_CLOSED');
    store.close();
  });
});

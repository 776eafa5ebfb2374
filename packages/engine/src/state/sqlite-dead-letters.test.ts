import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from './sqlite-state-store.js';
import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';
import type { StateStore } from './state-store.js';

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  store = openSqliteStateStore(join(dir, 'state.db'), { now: () => new Date('2024-05-06T07:08:09.010Z') });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function letters(runId: number, n: number, stream = 'orders'): DeadLetter[] {
  return Array.from({ length: n }, (_, i) => ({
    runId, stream, record: JSON.stringify({ id: String(i), amount: '12.30' }), error: `value too long (${i})`, category: 'data',
  }));
}

describe('dead letters', () => {
  it('inserts a batch and lists by run and by pipeline, in insertion order', () => {
    const r1 = store.beginRun('p', ['orders']);
    const r2 = store.beginRun('p', ['orders']);
    const r3 = store.beginRun('q', ['orders']);
    store.addDeadLetters(letters(r1, 3));
    store.addDeadLetters([...letters(r2, 2), { ...letters(r2, 1, 'other')[0], at: '2023-01-01T00:00:00.000Z' }]);
    store.addDeadLetters(letters(r3, 1));
    store.addDeadLetters([]);

    const run1 = store.listDeadLetters({ runId: r1 });
    expect(run1.map((d) => JSON.parse(d.record).id)).toEqual(['0', '1', '2']);
    expect(run1[0]).toMatchObject({ runId: r1, stream: 'orders', error: 'value too long (0)', category: 'data', at: '2024-05-06T07:08:09.010Z' });
    expect(typeof run1[0].id).toBe('number');
    expect(store.listDeadLetters({ pipeline: 'p' }).map((d) => d.runId)).toEqual([r1, r1, r1, r2, r2, r2]);
    expect(store.listDeadLetters({ pipeline: 'p', runId: r2 }).at(-1)).toMatchObject({ stream: 'other', at: '2023-01-01T00:00:00.000Z' });
    expect(store.listDeadLetters({ pipeline: 'q', runId: r1 })).toEqual([]);
    expect(store.listDeadLetters({ pipeline: 'p', limit: 4 })).toHaveLength(4);
    expect(store.listDeadLetters({})).toHaveLength(7);
  });

  it('stores all of a batch or none of it', () => {
    const runId = store.beginRun('p', ['orders']);
    const bad = [...letters(runId, 2), { ...letters(runId, 1)[0], record: '{not json' }];
    let error: unknown;
    try {
      store.addDeadLetters(bad);
    } catch (e) {
      error = e;
    }
    expect((error as StateError).code).toBe('INVALID_ARGUMENT');
    expect((error as StateError).details).toMatchObject({ index: 2 });
    error = undefined;
    try {
      store.addDeadLetters([...letters(runId, 2), ...letters(runId + 100, 1)]);
    } catch (e) {
      error = e;
    }
    expect((error as StateError).code).toBe('RUN_NOT_FOUND');
    expect(store.listDeadLetters({ runId })).toEqual([]);
  });

  it('inserts 10 000 letters in one transaction quickly', () => {
    const runId = store.beginRun('p', ['orders']);
    const started = performance.now();
    store.addDeadLetters(letters(runId, 10_000));
    const ms = performance.now() - started;
    expect(store.listDeadLetters({ runId })).toHaveLength(10_000);
    expect(ms).toBeLessThan(5_000);
  });
});

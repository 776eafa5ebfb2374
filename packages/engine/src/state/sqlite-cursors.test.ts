import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from './sqlite-state-store.js';
import { StateError } from './state-error.js';
import type { StateStore } from './state-store.js';

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  store = openSqliteStateStore(join(dir, 'state.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cursors', () => {
  const exactValues = ['9223372036854775807', '-9223372036854775808', '2024-01-01 00:00:00.123456+00', '00042', '1e400', '0.10', ''];

  it.each(exactValues)('keeps the text %j exactly, also after reopening', (value) => {
    store.putCursor({ pipeline: 'p', stream: 's', cursorField: 'id', cursorValue: value });
    expect(store.getCursor('p', 's')?.cursorValue).toBe(value);
    store.close();
    store = openSqliteStateStore(join(dir, 'state.db'));
    const cursor = store.getCursor('p', 's');
    expect(cursor?.cursorValue).toBe(value);
    expect(typeof cursor?.cursorValue).toBe('string');
    const raw = new Database(join(dir, 'state.db'), { readonly: true });
    expect(raw.prepare('SELECT typeof(cursor_value) FROM cursors').pluck().get()).toBe('text');
    raw.close();
  });

  it('puts, replaces, gets and deletes', () => {
    const runId = store.beginRun('p', ['a']);
    store.putCursor({ pipeline: 'p', stream: 'a', cursorField: 'updated_at', cursorValue: '2024-01-01 00:00:00.123456+00', runId });
    store.putCursor({ pipeline: 'p', stream: 'b', lsn: '0/16B3748' });
    store.putCursor({ pipeline: 'q', stream: 'a', cursorField: 'id', cursorValue: '1' });
    expect(store.getCursor('p', 'a')).toMatchObject({ pipeline: 'p', stream: 'a', cursorField: 'updated_at', runId });
    expect(store.getCursor('p', 'a')?.updatedAt).toMatch(/Z$/);
    const b = store.getCursor('p', 'b');
    expect(b).toMatchObject({ lsn: '0/16B3748' });
    expect(b?.cursorValue).toBeUndefined();
    expect(b?.runId).toBeUndefined();

    store.putCursor({ pipeline: 'p', stream: 'a', cursorField: 'updated_at', cursorValue: '2024-01-02 00:00:00+00' });
    expect(store.getCursor('p', 'a')?.cursorValue).toBe('2024-01-02 00:00:00+00');
    expect(store.getCursor('p', 'a')?.runId).toBeUndefined();

    expect(store.deleteCursors('p', 'a')).toBe(1);
    expect(store.getCursor('p', 'a')).toBeUndefined();
    expect(store.deleteCursors('p', 'a')).toBe(0);
    store.putCursor({ pipeline: 'p', stream: 'a', cursorValue: '5' });
    expect(store.deleteCursors('p')).toBe(2);
    expect(store.getCursor('q', 'a')?.cursorValue).toBe('1');
    expect(store.getCursor('nope', 'a')).toBeUndefined();
  });

  it('refuses a JS number as a cursor value', () => {
    let error: unknown;
    try {
      store.putCursor({ pipeline: 'p', stream: 's', cursorValue: 9007199254740993 as unknown as string });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('INVALID_ARGUMENT');
    expect(store.getCursor('p', 's')).toBeUndefined();
  });
});

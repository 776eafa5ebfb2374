import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from './sqlite-state-store.js';
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

describe('connector key/value state', () => {
  it('gets, puts and deletes per scope', () => {
    expect(store.getKv('src', 'slot')).toBeUndefined();
    store.putKv('src', 'slot', 'rb_slot');
    store.putKv('dst', 'slot', 'other');
    store.putKv('src', 'slot', 'rb_slot_2');
    expect(store.getKv('src', 'slot')).toBe('rb_slot_2');
    expect(store.getKv('dst', 'slot')).toBe('other');
    expect(store.deleteKv('src', 'slot')).toBe(true);
    expect(store.deleteKv('src', 'slot')).toBe(false);
    expect(store.getKv('src', 'slot')).toBeUndefined();
  });

  it('compare-and-set: absent, matching and stale expectations', () => {
    expect(store.casKv('s', 'k', 'x', 'v1')).toBe(false); // expected a value, none there
    expect(store.getKv('s', 'k')).toBeUndefined();
    expect(store.casKv('s', 'k', undefined, 'v1')).toBe(true); // create if absent
    expect(store.casKv('s', 'k', undefined, 'v2')).toBe(false); // no longer absent
    expect(store.casKv('s', 'k', 'v0', 'v2')).toBe(false); // stale
    expect(store.getKv('s', 'k')).toBe('v1');
    expect(store.casKv('s', 'k', 'v1', 'v2')).toBe(true);
    expect(store.getKv('s', 'k')).toBe('v2');
    expect(store.casKv('s', 'k', '', 'v3')).toBe(false); // '' is a value, not absence
  });

  it('compare-and-set is atomic across two connections to the same file', () => {
    const other = openSqliteStateStore(join(dir, 'state.db'));
    store.putKv('s', 'k', '0');
    expect(other.casKv('s', 'k', '0', 'from-other')).toBe(true);
    expect(store.casKv('s', 'k', '0', 'from-store')).toBe(false);
    expect(store.getKv('s', 'k')).toBe('from-other');
    other.close();
  });
});

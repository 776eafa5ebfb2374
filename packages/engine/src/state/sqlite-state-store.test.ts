import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { openSqliteStateStore } from './sqlite-state-store.js';
import type { StateStore } from './state-store.js';
import { describeStateStoreContract } from './test-support/state-store-contract.js';

describeStateStoreContract('sqlite', async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
  const path = join(dir, 'state.db');
  const opened: StateStore[] = [openSqliteStateStore(path, options)];
  return {
    store: opened[0] as StateStore,
    async reopen() {
      const store = openSqliteStateStore(path);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite state store', () => {
  it('stores cursor values as TEXT, never as a SQLite number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-state-'));
    try {
      const store = openSqliteStateStore(join(dir, 'state.db'));
      await store.putCursor({ pipeline: 'p', stream: 's', cursorValue: '9223372036854775807' });
      await store.putCursor({ pipeline: 'p', stream: 't', cursorValue: '00042' });
      await store.close();
      const raw = new Database(join(dir, 'state.db'), { readonly: true });
      expect(raw.prepare('SELECT typeof(cursor_value) FROM cursors').pluck().all()).toEqual(['text', 'text']);
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

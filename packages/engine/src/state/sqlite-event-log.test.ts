import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStateStore } from './sqlite-state-store.js';
import type { StateStore } from './state-store.js';
import { describeEventOutboxContract } from './test-support/event-outbox-contract.js';

describeEventOutboxContract('sqlite', async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-events-'));
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

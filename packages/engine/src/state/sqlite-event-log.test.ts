import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
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

describe('sqlite event outbox atomicity', () => {
  it('a run finish whose event cannot be written is rolled back: no finish without its event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-events-'));
    const path = join(dir, 'state.db');
    const store = openSqliteStateStore(path);
    try {
      await store.syncNotificationTargets('orders', [{ target: 'hook', label: 'hook', events: ['run.failed'] }]);
      const runId = await store.beginRun('orders', ['public.a']);
      await store.startRun(runId);
      // break the outbox from outside: the delivery insert of run.failed fails
      const raw = new Database(path);
      raw.exec('DROP TABLE deliveries');
      raw.close();
      await expect(store.finishRun(runId, 'failed', { reason: 'boom' })).rejects.toThrow(/deliveries/);
      expect((await store.getRun(runId))?.status).toBe('running');
      expect((await store.listRunTransitions(runId)).map((t) => t.to)).toEqual(['pending', 'running']);
      expect((await store.listEvents()).map((e) => e.type)).toEqual(['run.started']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

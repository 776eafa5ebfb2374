// The event outbox on a PostgreSQL state DB: the same contract the SQLite store passes (events
// written with the state change they report, deliveries claimed in order, leases reclaimed).
import { openPostgresStateStore } from '../../packages/engine/src/state/postgres-state-store.js';
import type { StateStore } from '../../packages/engine/src/state/state-store.js';
import { describeEventOutboxContract } from '../../packages/engine/src/state/test-support/event-outbox-contract.js';
import { testPg } from '../support/test-pg.js';

const cluster = testPg();

describeEventOutboxContract('postgres', async (options) => {
  const db = await cluster.createDatabase('events_contract');
  const opened: StateStore[] = [await openPostgresStateStore(db.url, options)];
  return {
    store: opened[0] as StateStore,
    async reopen() {
      const store = await openPostgresStateStore(db.url);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      await cluster.dropDatabase(db.name);
    },
  };
});

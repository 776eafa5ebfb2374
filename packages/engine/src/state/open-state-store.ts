import type { StateBackend } from '../config/modes.js';
import { openPostgresStateStore } from './postgres-state-store.js';
import { openSqliteStateStore } from './sqlite-state-store.js';
import type { StateStore } from './state-store.js';

/** Where the state DB lives: a SQLite file path, or a postgres:// URL (already interpolated). */
export interface StateStoreLocation {
  readonly backend: StateBackend;
  readonly connection: string;
}

/** Opens (and migrates) the state DB of a pipeline's `state:` block, whichever backend it names. */
export async function openStateStore(config: StateStoreLocation): Promise<StateStore> {
  switch (config.backend) {
    case 'sqlite':
      return openSqliteStateStore(config.connection);
    case 'postgres':
      return openPostgresStateStore(config.connection);
  }
}

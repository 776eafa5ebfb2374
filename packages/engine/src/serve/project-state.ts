import type { PipelineConfig } from '../config/index.js';
import { openStateStore, type StateStore } from '../state/index.js';

/** The state DBs of a project's pipelines, one store per distinct `state:` location, opened once. */
export class ProjectStateStores {
  readonly #stores = new Map<string, Promise<StateStore>>();

  /** The store of `config`'s `state:` block (opened on first use). */
  of(config: PipelineConfig): Promise<StateStore> {
    const id = `${config.state.backend}:${config.state.connection}`;
    let store = this.#stores.get(id);
    if (store === undefined) {
      store = openStateStore(config.state);
      // a failed open is retried on the next use
      store.catch(() => this.#stores.delete(id));
      this.#stores.set(id, store);
    }
    return store;
  }

  /** Every store opened so far. */
  async all(): Promise<StateStore[]> {
    const settled = await Promise.allSettled(this.#stores.values());
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  async close(): Promise<void> {
    for (const store of await this.all()) await store.close().catch(() => undefined);
    this.#stores.clear();
  }
}

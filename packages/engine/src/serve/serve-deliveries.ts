import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineConfig } from '../config/index.js';
import { DeliveryWorker, type DeliveryAttempt } from '../events/delivery-worker.js';
import { subscriptionsOf } from '../events/notification-target.js';
import type { Project } from '../project/index.js';
import type { StateStore } from '../state/index.js';
import type { ProjectStateStores } from './project-state.js';

/** Pause between two delivery rounds when nothing was due. */
const IDLE_MS = 1000;
/** Events are kept this long by default once their deliveries ended (`serve --event-retention`). */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 3_600_000;
/** How often old events are pruned. */
const PRUNE_EVERY_MS = 3_600_000;

export interface ServeDeliveriesOptions {
  readonly project: () => Project;
  readonly stores: ProjectStateStores;
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
  /** Events older than this whose deliveries all ended are deleted; 0 keeps them. */
  readonly retentionMs: number;
  readonly now: () => Date;
  readonly log: (level: 'info' | 'warn', pipeline: string | undefined, message: string) => void;
}

/**
 * `serve` delivers the outbox continuously: round after round, each state DB's due deliveries go
 * to the targets its pipelines' files configure. Each pipeline's targets are stored first (once
 * per loaded config), so an event written before the pipeline's first run — an alert — reaches them.
 * Once an hour, events older than the retention whose deliveries all ended are deleted.
 */
export class ServeDeliveries {
  readonly #options: ServeDeliveriesOptions;
  readonly #owner = `serve:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #synced = new WeakSet<PipelineConfig>();
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #nextPrune = 0;

  constructor(options: ServeDeliveriesOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops after the requests in flight (they are cut short). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let attempts = 0;
      try {
        attempts = await this.deliverOnce(signal);
      } catch (error) {
        this.#options.log(
          'warn',
          undefined,
          `event delivery: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (attempts === 0) await sleep(IDLE_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One round over every state DB; returns how many attempts it made. */
  async deliverOnce(signal?: AbortSignal): Promise<number> {
    const byStore = new Map<StateStore, PipelineConfig[]>();
    for (const config of this.#options.project().pipelines) {
      const state = await this.#options.stores.of(config);
      if (!this.#synced.has(config)) {
        await state.syncNotificationTargets(config.pipeline, subscriptionsOf(config.notifications ?? []));
        this.#synced.add(config);
      }
      if ((config.notifications ?? []).length > 0) byStore.set(state, [...(byStore.get(state) ?? []), config]);
    }
    await this.#prune();
    let attempts = 0;
    for (const [state, configs] of byStore) {
      const worker = new DeliveryWorker({
        state,
        owner: this.#owner,
        pipelines: configs.map((c) => ({ pipeline: c.pipeline, targets: c.notifications ?? [] })),
      });
      const done = await worker.deliverDue({
        ...(signal && { signal }),
        ...(this.#options.onAttempt && { onAttempt: this.#options.onAttempt }),
      });
      attempts += done.length;
    }
    return attempts;
  }

  /** Deletes old events (hourly) from every state DB serve opened, keeping those with a pending delivery. */
  async #prune(): Promise<void> {
    const now = this.#options.now().getTime();
    if (this.#options.retentionMs <= 0 || now < this.#nextPrune) return;
    this.#nextPrune = now + PRUNE_EVERY_MS;
    const before = new Date(now - this.#options.retentionMs).toISOString();
    for (const state of await this.#options.stores.all()) {
      const pruned = await state.pruneEvents(before);
      if (pruned > 0)
        this.#options.log('info', undefined, `pruned ${pruned} events older than ${before} (--event-retention)`);
    }
  }
}

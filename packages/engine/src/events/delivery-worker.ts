import type { NotificationConfig } from '../config/notification-config.js';
import { DEFAULT_NOTIFICATION_TIMING } from '../config/notification-config.js';
import type { ClaimedDelivery, DeliveryOutcome } from '../state/event-records.js';
import type { StateStore } from '../state/state-store.js';
import type { EventType } from '../config/event-types.js';
import { targetKey, targetLabel } from './notification-target.js';
import { nextAttemptAt } from './retry-backoff.js';
import { sendWebhook } from './send-webhook.js';

/** The notification targets of one pipeline, as its file configures them (secrets included, in memory only). */
export interface PipelineNotifications {
  readonly pipeline: string;
  readonly targets: readonly NotificationConfig[];
}

export interface DeliveryWorkerOptions {
  readonly state: StateStore;
  readonly pipelines: readonly PipelineNotifications[];
  /** Names this worker's claims (e.g. host:pid:random); a claim is only completed by its owner. */
  readonly owner: string;
  /** Deliveries claimed per round; default 16. */
  readonly batchSize?: number;
  /** A claim's lease beyond the request's timeout: a worker that died loses its claims this long after; default 10 s. */
  readonly leaseMarginMs?: number;
  readonly now?: () => Date;
  /** Jitter source in [0, 1); default Math.random (seeded in tests). */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
}

/** One attempt, as the worker reports it (the CLI and the server render these). */
export interface DeliveryAttempt {
  readonly deliveryId: number;
  readonly eventId: number;
  readonly eventType: EventType;
  readonly pipeline: string;
  /** The target's label (origin, format and key), never its URL path or headers. */
  readonly target: string;
  /** `lost`: the claim expired while sending and another worker took it over (nothing recorded). */
  readonly outcome: 'delivered' | 'retry' | 'dead' | 'lost';
  readonly status?: number;
  readonly error?: string;
  readonly nextAttemptAt?: string;
}

/** Bounds of one {@link DeliveryWorker.deliverDue} call. */
export interface DeliverDueOptions {
  /** Stop claiming, and cut requests short, at this time (ms since the epoch, on the worker's clock). */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
}

/** Requests are not started with less time than this left before a deadline. */
const MIN_REQUEST_MS = 100;

/**
 * Sends the outbox's pending deliveries to the targets it knows: claims a batch (the oldest
 * pending delivery of each pipeline and target, so order is kept), sends each with its target's
 * timeout, records delivered / retry (exponential backoff with jitter) / dead (past the max age),
 * and repeats while deliveries are due (or, given a deadline, come due before it). Safe to run in several processes at once: claims are leased.
 */
export class DeliveryWorker {
  readonly #state: StateStore;
  readonly #targets = new Map<string, NotificationConfig>();
  readonly #owner: string;
  readonly #batchSize: number;
  readonly #leaseMarginMs: number;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.#state = options.state;
    for (const p of options.pipelines)
      for (const t of p.targets) this.#targets.set(pairKey(p.pipeline, targetKey(t)), t);
    this.#owner = options.owner;
    this.#batchSize = Math.max(1, options.batchSize ?? 16);
    this.#leaseMarginMs = Math.max(0, options.leaseMarginMs ?? 10_000);
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch;
  }

  /**
   * Delivers due deliveries, round after round, until the deadline passes or the signal aborts.
   * When none is due it waits for the next retry that falls before the deadline; without a
   * deadline it stops as soon as none is due.
   */
  async deliverDue(options: DeliverDueOptions = {}): Promise<DeliveryAttempt[]> {
    const attempts: DeliveryAttempt[] = [];
    for (;;) {
      if (options.signal?.aborted) break;
      if (options.deadline !== undefined && options.deadline - this.#now().getTime() < MIN_REQUEST_MS) break;
      const round = await this.deliverBatch(options);
      attempts.push(...round);
      if (round.length > 0) continue;
      if (options.deadline === undefined) break;
      const next = await this.nextDue();
      if (next === undefined || next > options.deadline - MIN_REQUEST_MS) break;
      await sleep(Math.max(0, next - this.#now().getTime()), options.signal);
    }
    return attempts;
  }

  /**
   * When the next delivery of the known targets may be claimed (ms since the epoch): the
   * earliest of each pipeline and target's oldest pending delivery's next attempt (or lease
   * expiry); undefined when none is pending.
   */
  async nextDue(): Promise<number | undefined> {
    const heads = new Map<string, { eventId: number; due: number }>();
    for (const d of await this.#state.listDeliveries({ status: 'pending' })) {
      const key = pairKey(d.pipeline, d.target);
      if (!this.#targets.has(key)) continue;
      const due = Math.max(Date.parse(d.nextAttemptAt), d.leaseUntil === undefined ? 0 : Date.parse(d.leaseUntil));
      const head = heads.get(key);
      if (head === undefined || d.eventId < head.eventId) heads.set(key, { eventId: d.eventId, due });
    }
    const dues = [...heads.values()].map((h) => h.due);
    return dues.length === 0 ? undefined : Math.min(...dues);
  }

  /** One round: claims up to a batch of due deliveries and sends them concurrently. */
  async deliverBatch(options: DeliverDueOptions = {}): Promise<DeliveryAttempt[]> {
    if (this.#targets.size === 0) return [];
    const pairs = [...this.#targets.keys()].map((k) => JSON.parse(k) as [string, string]);
    const timeoutMs = Math.max(...[...this.#targets.values()].map((t) => t.timeoutMs));
    const claimed = await this.#state.claimDeliveries({
      owner: this.#owner,
      leaseMs: this.#requestTimeout(timeoutMs, options.deadline) + this.#leaseMarginMs,
      limit: this.#batchSize,
      targets: pairs.map(([pipeline, target]) => ({ pipeline, target })),
    });
    return Promise.all(
      claimed.map(async (c) => {
        const attempt = await this.#attempt(c, options);
        options.onAttempt?.(attempt);
        return attempt;
      }),
    );
  }

  async #attempt(claimed: ClaimedDelivery, options: DeliverDueOptions): Promise<DeliveryAttempt> {
    const { delivery, event } = claimed;
    const target = this.#targets.get(pairKey(delivery.pipeline, delivery.target)) as NotificationConfig;
    const response = await sendWebhook(target, event, {
      timeoutMs: this.#requestTimeout(target.timeoutMs, options.deadline),
      now: this.#now().getTime(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
    const base = {
      deliveryId: delivery.id,
      eventId: event.id,
      eventType: event.type,
      pipeline: delivery.pipeline,
      target: targetLabel(target),
    };
    let outcome: DeliveryOutcome;
    if (response.ok) {
      outcome = { kind: 'delivered', status: response.status ?? 200 };
    } else {
      const next = nextAttemptAt({
        now: this.#now().getTime(),
        queuedAt: Date.parse(delivery.queuedAt),
        failures: delivery.attempts + 1,
        maxAgeMs: target.maxAgeMs,
        backoff: {
          baseMs: target.backoffMs,
          maxMs: Math.max(target.backoffMs, DEFAULT_NOTIFICATION_TIMING.maxBackoffMs),
          random: this.#random,
        },
      });
      const error = response.error ?? 'failed';
      const status = response.status === undefined ? {} : { status: response.status };
      outcome =
        next === undefined
          ? { kind: 'dead', error, ...status }
          : { kind: 'retry', error, nextAttemptAt: new Date(next).toISOString(), ...status };
    }
    const recorded = await this.#state.completeDelivery(delivery.id, this.#owner, outcome);
    return {
      ...base,
      outcome: recorded ? outcome.kind : 'lost',
      ...(response.status === undefined ? {} : { status: response.status }),
      ...(outcome.kind === 'delivered' ? {} : { error: outcome.error }),
      ...(outcome.kind === 'retry' ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
    };
  }

  #requestTimeout(timeoutMs: number, deadline: number | undefined): number {
    if (deadline === undefined) return timeoutMs;
    return Math.max(MIN_REQUEST_MS, Math.min(timeoutMs, deadline - this.#now().getTime()));
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function pairKey(pipeline: string, target: string): string {
  return JSON.stringify([pipeline, target]);
}

import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** The next retry of a stream: its number within the budget (1-based), its backoff, and whether progress restored the budget. */
export interface RetryGrant {
  readonly retry: number;
  readonly delayMs: number;
  /** The failed attempt committed a checkpoint after earlier retries: the count started again. */
  readonly reset: boolean;
}

/**
 * A stream's `max_retries` budget, spent by consecutive transient failures only. An attempt that
 * committed a checkpoint before it failed made progress: the budget and the backoff start again,
 * so a `--follow` stream that runs for months survives any number of disconnects spread over its
 * life, while a stream that fails again and again without committing anything gives up after
 * `maxRetries` retries.
 */
export class RetryBudget {
  readonly #policy: RetryPolicy;
  readonly #random: () => number;
  /** Transient failures since the last progress. */
  #failures = 0;

  constructor(policy: RetryPolicy, random: () => number = Math.random) {
    this.#policy = policy;
    this.#random = random;
  }

  /**
   * An attempt failed transiently; `progressed`: it committed a checkpoint. Returns the retry to
   * make, or undefined when the budget is spent.
   */
  failed(progressed: boolean): RetryGrant | undefined {
    const reset = progressed && this.#failures > 0;
    if (progressed) this.#failures = 0;
    this.#failures += 1;
    if (this.#failures > this.#policy.maxRetries) return undefined;
    return { retry: this.#failures, delayMs: retryDelayMs(this.#policy, this.#failures, this.#random), reset };
  }
}

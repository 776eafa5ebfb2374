import { DEFAULT_RETRY, type RetryConfig } from '../config/index.js';

/** How transient stream failures are retried: `resources.retry` (see {@link RetryConfig}). */
export type RetryPolicy = RetryConfig;

export const DEFAULT_RETRY_POLICY: RetryPolicy = DEFAULT_RETRY;

/**
 * Delay before retry `attempt` (1-based): the backoff's delay for that retry, capped at
 * `maxDelayMs`, then spread by the jitter so simultaneous failures don't retry in lockstep.
 * `random` (in [0, 1)) is injectable for tests.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffMs(policy, attempt);
  switch (policy.jitter) {
    case 'half':
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    case 'full':
      return Math.round(random() * ceiling);
    case 'none':
      return ceiling;
  }
}

/** The delay before retry `attempt` (1-based) without jitter. */
function backoffMs(policy: RetryPolicy, attempt: number): number {
  switch (policy.backoff) {
    case 'exponential':
      return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
    case 'fixed':
      return Math.min(policy.maxDelayMs, policy.initialDelayMs);
    case 'none':
      return 0;
  }
}

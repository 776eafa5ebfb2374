/** Timing of a delivery's retries. */
export interface RetryBackoff {
  /** Delay after the first failed attempt. */
  readonly baseMs: number;
  /** Ceiling of the delay before jitter. */
  readonly maxMs: number;
  /** A number in [0, 1): `Math.random` in production, a seeded generator in tests. */
  readonly random: () => number;
}

/**
 * The delay before the next attempt after `failures` failed ones: `baseMs` doubled per failure,
 * capped at `maxMs`, then "equal jitter" (a random point in its upper half) so that many
 * deliveries failing together (a receiver restarting) do not retry in lockstep.
 */
export function retryDelayMs(failures: number, backoff: RetryBackoff): number {
  const exponent = Math.max(0, Math.min(failures - 1, 40));
  const capped = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  return Math.round(capped / 2 + backoff.random() * (capped / 2));
}

/**
 * When a failed delivery is tried next, or undefined when it has reached `maxAgeMs` (it is then
 * dead). The last attempt happens at the max age at the latest.
 */
export function nextAttemptAt(options: {
  now: number;
  queuedAt: number;
  failures: number;
  maxAgeMs: number;
  backoff: RetryBackoff;
}): number | undefined {
  const expires = options.queuedAt + options.maxAgeMs;
  if (options.now >= expires) return undefined;
  return Math.min(options.now + retryDelayMs(options.failures, options.backoff), expires);
}

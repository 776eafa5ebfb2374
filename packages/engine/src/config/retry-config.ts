/**
 * How the delay between retries grows: `exponential` doubles from `initial_delay` up to
 * `max_delay`, `fixed` waits `initial_delay` every time, `none` retries at once.
 */
export const BACKOFFS = ['exponential', 'fixed', 'none'] as const;
export type Backoff = (typeof BACKOFFS)[number];

/**
 * How a backoff delay is spread so that streams that failed together do not retry in lockstep:
 * `half` draws it from the upper half [delay/2, delay], `full` from [0, delay], `none` keeps it.
 */
export const JITTERS = ['half', 'full', 'none'] as const;
export type Jitter = (typeof JITTERS)[number];

/** `resources.retry`: how transient stream failures are retried. */
export interface RetryConfig {
  readonly backoff: Backoff;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: Jitter;
  /** Retries of a transient failure in a row (a commit in between starts the count again). */
  readonly maxRetries: number;
}

/** The defaults of `resources.retry`. */
export const DEFAULT_RETRY: RetryConfig = Object.freeze({
  backoff: 'exponential',
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 'half',
  maxRetries: 3,
});

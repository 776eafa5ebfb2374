/** Status of one stream inside a run. */
export const STREAM_STATUSES = [
  'pending',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/**
 * Statuses a stream never leaves; reaching one sets `finishedAt`. `interrupted`: its run's
 * process went away without closing it (see RunStatus).
 */
export const TERMINAL_STREAM_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
] as const satisfies readonly StreamStatus[];

/**
 * Allowed transitions: pending→running|cancelled|failed, running→retrying|succeeded|failed|cancelled,
 * retrying→running|failed|cancelled, and every open status →interrupted. Terminal statuses allow none.
 */
export const STREAM_TRANSITIONS: Readonly<Record<StreamStatus, readonly StreamStatus[]>> = Object.freeze({
  pending: Object.freeze(['running', 'cancelled', 'failed', 'interrupted'] as const),
  running: Object.freeze(['retrying', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const),
  retrying: Object.freeze(['running', 'failed', 'cancelled', 'interrupted'] as const),
  succeeded: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
  interrupted: Object.freeze([] as const),
});

export function isStreamStatus(value: unknown): value is StreamStatus {
  return typeof value === 'string' && (STREAM_STATUSES as readonly string[]).includes(value);
}

export function isTerminalStreamStatus(status: StreamStatus): boolean {
  return (TERMINAL_STREAM_STATUSES as readonly StreamStatus[]).includes(status);
}

export function canTransition(from: StreamStatus, to: StreamStatus): boolean {
  return STREAM_TRANSITIONS[from].includes(to);
}

/**
 * Whether a stream gave up after spending its retry budget (`resources.retry.max_retries`): the
 * engine retries every transient failure until then, and a signal or a timeout ends a stream
 * `cancelled` or with a permanent `TIMEOUT`, so a stream that ended `failed` on a transient error
 * is one that ran out of retries.
 */
export function retriesExhausted(status: StreamStatus, errorKind: 'transient' | 'permanent' | undefined): boolean {
  return status === 'failed' && errorKind === 'transient';
}

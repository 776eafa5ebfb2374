/**
 * Status of a whole run: `pending` from {@link StateStore.beginRun} until its streams start
 * (`running`), then one terminal outcome. `interrupted`: its process went away without closing it
 * (killed, host lost); found and closed by whoever next holds, or checks, the pipeline's lock.
 */
export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'partial',
  'cancelled',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run never leaves; reaching one sets `finishedAt`. */
export const TERMINAL_RUN_STATUSES = [
  'succeeded',
  'failed',
  'partial',
  'cancelled',
  'interrupted',
] as const satisfies readonly RunStatus[];
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

/** Statuses of a run that is still open (not finished). */
export const OPEN_RUN_STATUSES = ['pending', 'running'] as const satisfies readonly RunStatus[];

/**
 * Allowed transitions: pending→running|failed|cancelled|interrupted (a run can fail or be
 * stopped before any stream starts), running→succeeded|failed|partial|cancelled|interrupted.
 * Terminal statuses allow none.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = Object.freeze({
  pending: Object.freeze(['running', 'failed', 'cancelled', 'interrupted'] as const),
  running: Object.freeze(['succeeded', 'failed', 'partial', 'cancelled', 'interrupted'] as const),
  succeeded: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  partial: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
  interrupted: Object.freeze([] as const),
});

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

export function isTerminalRunStatus(status: RunStatus): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

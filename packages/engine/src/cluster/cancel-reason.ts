import { isTimeoutScope, type TimeoutScope } from '../orchestrator/stream-deadline.js';

/**
 * Why a coordinator asked a chain to drain, kept next to the request (`cluster_chains.cancel_reason`)
 * when a limit of `resources.timeouts` stopped it: the worker running the chain then ends it
 * `failed` with `TIMEOUT`, as a local run does. No reason: the run was interrupted (cancelled).
 */
export interface CancelReason {
  readonly scope: TimeoutScope;
  /** The limit, for the message (`resources.timeouts.run (10m)`). */
  readonly limitMs: number;
}

/** The reason stored with a cancel request; undefined for none or for a value this build cannot read. */
export function parseCancelReason(value: unknown): CancelReason | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { scope, limitMs } = value as { scope?: unknown; limitMs?: unknown };
  return isTimeoutScope(scope) && typeof limitMs === 'number' && Number.isFinite(limitMs) && limitMs >= 0
    ? { scope, limitMs }
    : undefined;
}

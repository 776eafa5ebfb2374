/** What a survivor knows of one worker when it sweeps. */
export interface WorkerSighting {
  readonly workerId: string;
  readonly status: 'live' | 'stopped' | 'lost';
  /** Time since its last heartbeat, by the state DB's clock (ms). */
  readonly heartbeatAgeMs: number;
  /** Whether some session holds its lease lock (its lease connection is still open). */
  readonly leaseHeld: boolean;
}

/**
 * What to do about a worker: `reclaim` its work (its lease session is gone: killed, crashed or
 * terminated), or `terminate` its lease session first (it is open but the worker stopped
 * heartbeating: a stopped or hung process, whose open session alone would look alive).
 */
export interface SweepDecision {
  readonly workerId: string;
  readonly action: 'reclaim' | 'terminate';
  readonly reason: string;
}

/**
 * Which workers are lost, given what the sweep saw: a `live` worker whose lease session ended,
 * or whose heartbeat is older than the lease timeout; a `lost` worker whose session is gone is
 * reclaimed again (the conditional re-enqueue is idempotent, and it catches work a zombie took
 * after it was marked lost). `self` is never lost to itself; a worker that stopped cleanly holds
 * no work.
 */
export function decideLostWorkers(
  workers: readonly WorkerSighting[],
  options: { readonly self: string; readonly leaseTimeoutMs: number },
): SweepDecision[] {
  const decisions: SweepDecision[] = [];
  for (const w of workers) {
    if (w.workerId === options.self || w.status === 'stopped') continue;
    if (!w.leaseHeld) {
      decisions.push({
        workerId: w.workerId,
        action: 'reclaim',
        reason: w.status === 'lost' ? 'marked lost before' : 'its lease session ended',
      });
    } else if (w.status === 'live' && w.heartbeatAgeMs > options.leaseTimeoutMs) {
      decisions.push({
        workerId: w.workerId,
        action: 'terminate',
        reason: `no heartbeat for ${Math.round(w.heartbeatAgeMs)} ms (lease timeout ${options.leaseTimeoutMs} ms)`,
      });
    }
  }
  return decisions;
}

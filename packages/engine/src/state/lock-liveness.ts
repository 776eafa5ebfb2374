/**
 * Whether a pipeline's run lock has a live holder, as far as the state DB can tell. A run holds
 * its pipeline's lock from before it begins until after it finishes, so an open run whose lock is
 * not live, or is live under another holder, has lost its process.
 */
export type LockLiveness =
  /** `pid` and `host` are absent while a new holder has the lock but has not named itself yet. */
  | {
      readonly live: true;
      readonly token: string;
      readonly pid?: number;
      readonly host?: string;
      readonly acquiredAt: string;
    }
  | {
      readonly live: false;
      /** Why no process holds it (`pid 41 is no longer running on this host`), for the closed run's reason. */
      readonly why: string;
    };

/** What the run history knows of an open run's process. */
export interface OpenRunHolder {
  readonly startedAt: string;
  readonly pid: number | null;
  readonly host: string | null;
  /** The lock it began under; null for a run begun without the lock or by an engine before lock tokens. */
  readonly token: string | null;
}

/**
 * Why an open run is interrupted given its pipeline lock's liveness, or undefined when its process
 * may still be running it. A run without a token is judged by time: it began before the live
 * holder took the lock, so it is not that holder's.
 */
export function interruptedReason(run: OpenRunHolder, lock: LockLiveness): string | undefined {
  const who = run.pid === null ? 'its process' : `its process (pid ${run.pid} on host ${run.host ?? 'unknown'})`;
  if (!lock.live) return `${who} went away without closing the run: ${lock.why}`;
  if (run.token === lock.token) return undefined;
  if (run.token === null && !(Date.parse(run.startedAt) < Date.parse(lock.acquiredAt))) return undefined;
  const holder = lock.pid === undefined ? 'another process' : `pid ${lock.pid} on host ${lock.host ?? 'unknown'}`;
  return `${who} no longer holds the pipeline lock: ${holder} took it over at ${lock.acquiredAt}`;
}

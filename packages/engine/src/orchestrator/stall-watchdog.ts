import { formatLsn } from '../replication/lsn.js';

/**
 * The stall watchdog's decisions, as pure functions of what the engine observed about one stream
 * attempt (times in ms, LSNs as bigints). `runAttempt` samples a running attempt; `runStreamTask`
 * decides what a stall means for the stream.
 */

/** What the engine knows about one running attempt at one instant. */
export interface StallSample {
  readonly now: number;
  /**
   * When the attempt last made progress: rows or bytes read, rows committed, a checkpoint, or (cdc)
   * items the replication hub delivered to it. The attempt's start counts as progress.
   */
  readonly lastProgressAt: number;
  /**
   * cdc, once the stream is past its snapshot and attached to its hub: where the stream stands
   * (the highest LSN delivered to it or committed) and the highest commit LSN of WAL the hub read
   * that holds a change of the stream's table. Undefined for batch streams and CDC snapshots.
   */
  readonly replication?: { readonly position: bigint; readonly tableWal: bigint | undefined };
  /**
   * Since when a stage of the chain has a request to its database (or another external system)
   * in flight: a query running, a lock being waited on, a COPY waiting for its first bytes.
   * Undefined when no stage waits on one.
   */
  readonly externalWaitSince?: number;
}

/**
 * `stalled`: restart (or fail) the attempt. `waiting`: no progress, but the chain waits on its
 * database — reported, not restarted. `idle`: nothing to do (no progress is owed, or not yet for
 * long enough).
 */
export type StallVerdict =
  | { readonly action: 'idle' }
  | { readonly action: 'stalled'; readonly idleMs: number; readonly reason: string }
  | { readonly action: 'waiting'; readonly idleMs: number; readonly reason: string };

/**
 * Whether an attempt has stalled. A CDC stream is stalled only when the hub read WAL for its
 * table past the stream's position and nothing reached the stream for `timeoutMs` while no stage
 * waits on its database: a stream whose table simply has no new WAL is idle, however long. A batch stream (and a CDC snapshot) is
 * stalled when it made no progress for `timeoutMs` while no stage waits on its database; one that
 * waits on the database (a long first query, a lock) is `waiting`: restarting it would run the
 * same slow query again from the start, so it is reported and left alone.
 */
export function stallVerdict(sample: StallSample, timeoutMs: number): StallVerdict {
  const idleMs = sample.now - sample.lastProgressAt;
  if (idleMs < timeoutMs) return { action: 'idle' };
  const replication = sample.replication;
  if (replication) {
    const { position, tableWal } = replication;
    if (tableWal === undefined || tableWal <= position) return { action: 'idle' };
    const owed = `the replication hub read changes of its table up to ${formatLsn(tableWal)}, past the stream's position ${formatLsn(position)}`;
    // a destination applying a large transaction (or waiting on a lock) holds the stream back: the
    // hub pauses at its high-water mark meanwhile, so nothing new arrives, and that is no stall
    if (sample.externalWaitSince !== undefined) {
      return {
        action: 'waiting',
        idleMs,
        reason: `${owed}; nothing new reached it for ${seconds(idleMs)} while a request to its database has been running for ${seconds(sample.now - sample.externalWaitSince)}`,
      };
    }
    return { action: 'stalled', idleMs, reason: `${owed}, and nothing reached the stream for ${seconds(idleMs)}` };
  }
  if (sample.externalWaitSince !== undefined) {
    return {
      action: 'waiting',
      idleMs,
      reason: `no rows read or committed for ${seconds(idleMs)}; a request to its database has been running for ${seconds(sample.now - sample.externalWaitSince)} (a slow query or a lock wait)`,
    };
  }
  return {
    action: 'stalled',
    idleMs,
    reason: `no rows read or committed for ${seconds(idleMs)}, and no stage was waiting on its database`,
  };
}

/** What a stall does to the stream: the first restarts it from its last commit; a second in a row fails it. */
export type StallOutcome = 'restart' | 'fail';

/**
 * Stalls in a row: an attempt that committed a checkpoint before it stalled made progress since
 * the previous stall (the restart worked for a while), so its stall counts as a first one again.
 */
export function stallsInARow(previousInARow: number, attemptCommitted: boolean): number {
  return attemptCommitted ? 1 : previousInARow + 1;
}

export function stallOutcome(inARow: number): StallOutcome {
  return inARow >= 2 ? 'fail' : 'restart';
}

/** The stable error code of a stall: CDC streams and batch streams are told apart for operators. */
export function stallCode(syncMode: string): 'CDC_STALLED' | 'STREAM_STALLED' {
  return syncMode === 'cdc' ? 'CDC_STALLED' : 'STREAM_STALLED';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

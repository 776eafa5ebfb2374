import type { RunStatus } from './run-status.js';
import type { StreamStatus } from './stream-status.js';

/** Row and byte counts of one stream in one run; absolute totals, not increments. */
export interface StreamCounts {
  rowsRead: number;
  /** Rows the destination committed. */
  rowsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  rowsSkipped?: number;
  rowsDeadLettered?: number;
  /** Rows attempts delivered to the destination that were rolled back (not in `rowsWritten`). */
  rowsRolledBack?: number;
  /** Times the stall watchdog restarted or failed the stream. */
  stalls?: number;
}

/** The error a stream ended (or retried) with, as classified by the engine. */
export interface StreamErrorInfo {
  code: string;
  kind: 'transient' | 'permanent';
  message: string;
}

/** One stream of one run. `attempts` counts moves to `running`. */
export interface StreamRunRecord {
  runId: number;
  stream: string;
  status: StreamStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  counts: StreamCounts;
  error?: StreamErrorInfo;
  /** It failed on a transient error after spending its retry budget (see `retriesExhausted`). */
  retriesExhausted?: true;
}

/** The error a run ended with (a stream's that failed it, or what the engine threw). */
export type RunErrorInfo = StreamErrorInfo;

/** One run of a pipeline with its streams in the order given to `beginRun`. */
export interface RunRecord {
  runId: number;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** The process that ran it (the pipeline lock's holder when it began); absent for runs begun without the lock. */
  holder?: PipelineLockHolder;
  error?: RunErrorInfo;
  streams: StreamRunRecord[];
}

/** How a run ended, beyond its status: why (the transition's reason) and the error, if any. */
export interface RunOutcome {
  reason?: string;
  error?: RunErrorInfo;
}

/** Audit row of a run status change; `from` is null for the initial `pending`. */
export interface RunTransitionRecord {
  runId: number;
  from: RunStatus | null;
  to: RunStatus;
  at: string;
  reason?: string;
}

/** Audit row of a stream status change; `from` is null for the initial `pending`. */
export interface TransitionRecord {
  runId: number;
  stream: string;
  from: StreamStatus | null;
  to: StreamStatus;
  at: string;
  reason?: string;
}

/**
 * Where a stream resumes. `cursorValue` is typed text (e.g. '9223372036854775807',
 * '2024-01-01 00:00:00.123456+00'), never a JS number, so int8 and microseconds survive.
 */
export interface CursorRecord {
  pipeline: string;
  stream: string;
  cursorField?: string;
  cursorValue?: string;
  lsn?: string;
  updatedAt: string;
  runId?: number;
}

/** A record the destination refused, kept for inspection and replay. `id` is set when read. */
export interface DeadLetter {
  id?: number;
  runId: number;
  stream: string;
  /** The record as JSON text. */
  record: string;
  error: string;
  category: string;
  /** ISO-8601 UTC; defaults to the insert time. */
  at?: string;
}

/** The process holding a pipeline's run lock. */
export interface PipelineLockHolder {
  pid: number;
  host: string;
}

import type { RunStatus } from './run-status.js';
import type { StreamStatus } from './stream-status.js';
import type {
  CursorRecord,
  DeadLetter,
  PipelineLockHolder,
  RunRecord,
  StreamCounts,
  StreamErrorInfo,
  TransitionRecord,
} from './state-records.js';

/**
 * The engine's persistent memory: run history, stream transitions, cursors, connector
 * key/value state, dead letters and pipeline run locks. All methods are synchronous (SQLite);
 * a Postgres backend will implement the same interface later. Refusals throw {@link StateError}.
 * Secrets are never passed in, so never stored.
 */
export interface StateStore {
  /** Inserts the run (`running`) and one `pending` stream row per stream (with a transition row each); returns the run id. */
  beginRun(pipeline: string, streams: readonly string[]): number;
  /**
   * Moves a stream to `to`, validated against STREAM_TRANSITIONS (ILLEGAL_TRANSITION otherwise), and
   * records a transition row. Each move to `running` increments `attempts`; the first sets `startedAt`;
   * a terminal status sets `finishedAt`.
   */
  transition(runId: number, stream: string, to: StreamStatus, reason?: string): void;
  /** Replaces the stream's counts and error (an omitted error clears the stored one). */
  recordStreamCounts(runId: number, stream: string, counts: StreamCounts, error?: StreamErrorInfo): void;
  /** Records the run's outcome and finish time; a run is finished once (RUN_ALREADY_FINISHED). */
  finishRun(runId: number, status: RunStatus): void;
  getRun(runId: number): RunRecord | undefined;
  /** Newest first; all runs unless `limit`. */
  listRuns(options?: { pipeline?: string; limit?: number }): RunRecord[];
  /** In the order they happened. */
  listTransitions(runId: number, stream?: string): TransitionRecord[];

  getCursor(pipeline: string, stream: string): CursorRecord | undefined;
  /** Inserts or replaces the stream's cursor; `updatedAt` is set to now. */
  putCursor(cursor: Omit<CursorRecord, 'updatedAt'>): void;
  /** Deletes the pipeline's cursors (one stream's if given); returns how many were deleted. */
  deleteCursors(pipeline: string, stream?: string): number;

  /** Connector key/value state. */
  getKv(scope: string, key: string): string | undefined;
  putKv(scope: string, key: string, value: string): void;
  /** Sets `value` only if the stored value is `expected` (undefined: absent); returns whether it did. */
  casKv(scope: string, key: string, expected: string | undefined, value: string): boolean;
  /** Returns whether a value was deleted. */
  deleteKv(scope: string, key: string): boolean;

  /** Inserts all letters in one transaction (all or none). `record` must be JSON text. */
  addDeadLetters(letters: readonly DeadLetter[]): void;
  /** In insertion order, filtered by pipeline and/or run. */
  listDeadLetters(options: { pipeline?: string; runId?: number; limit?: number }): DeadLetter[];

  /**
   * Takes the pipeline's run lock and returns its release function, or throws PIPELINE_LOCKED
   * naming the holder (pid, host, since). A lock whose holder pid is no longer alive on this host,
   * or whose heartbeat is older than the stale timeout, is taken over. While held, the store
   * refreshes the heartbeat in the background. Release is idempotent and never frees a lock
   * someone else took over.
   */
  acquirePipelineLock(pipeline: string, holder: PipelineLockHolder): () => void;

  /** Releases held locks and closes the database; further calls throw STORE_CLOSED. */
  close(): void;
}

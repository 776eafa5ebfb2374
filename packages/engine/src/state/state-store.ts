import type { CdcLagSample } from './cdc-lag-sample.js';
import type { RunStatus } from './run-status.js';
import type { StreamStatus } from './stream-status.js';
import type { NewTick, TickRecord } from './tick-outcome.js';
import type { AlertMove, AlertStateRecord } from './alert-records.js';
import type {
  CursorRecord,
  DeadLetter,
  PipelineLockHolder,
  RunOutcome,
  RunRecord,
  RunTransitionRecord,
  StreamCounts,
  StreamErrorInfo,
  TransitionRecord,
} from './state-records.js';
import type {
  ClaimRequest,
  ClaimedDelivery,
  DeliveryOutcome,
  DeliveryRecord,
  DeliveryStatus,
  EventFilter,
  EventRecord,
  NewEvent,
  TargetSubscription,
} from './event-records.js';

/** Releases a pipeline run lock; idempotent, and never frees a lock someone else took over. */
export type ReleasePipelineLock = () => Promise<void>;

/**
 * The engine's persistent memory: run history, stream transitions, cursors, connector
 * key/value state, dead letters and pipeline run locks. Implemented over SQLite (the default)
 * and PostgreSQL with the same semantics; every method is asynchronous and refusals reject with
 * {@link StateError}. Secrets are never passed in, so never stored.
 */
export interface StateStore {
  /**
   * Inserts the run (`pending`, with a run transition row) and one `pending` stream row per stream
   * (with a transition row each); returns the run id. A run begun while this store holds the
   * pipeline's lock is stamped with that lock, so a later {@link closeInterruptedRuns} can tell
   * whether its process is still there.
   */
  beginRun(pipeline: string, streams: readonly string[]): Promise<number>;
  /** Moves the run from `pending` to `running` (its streams start); ILLEGAL_TRANSITION from any other status. */
  startRun(runId: number): Promise<void>;
  /**
   * Moves a stream to `to`, validated against STREAM_TRANSITIONS (ILLEGAL_TRANSITION otherwise), and
   * records a transition row. Each move to `running` increments `attempts`; the first sets `startedAt`;
   * a terminal status sets `finishedAt`.
   */
  transition(runId: number, stream: string, to: StreamStatus, reason?: string): Promise<void>;
  /** Replaces the stream's counts and error (an omitted error clears the stored one). */
  recordStreamCounts(runId: number, stream: string, counts: StreamCounts, error?: StreamErrorInfo): Promise<void>;
  /**
   * Records the run's outcome (a terminal status allowed from its current one by RUN_TRANSITIONS),
   * its error and finish time, and a run transition with `outcome.reason` (the error's code and
   * message when there is no reason). A run is finished once (RUN_ALREADY_FINISHED).
   */
  finishRun(runId: number, status: RunStatus, outcome?: RunOutcome): Promise<void>;
  /**
   * Closes as `interrupted` every open (`pending`/`running`) run, of `pipeline` or of all
   * pipelines, whose process is gone: the pipeline's lock is free, taken over by another holder,
   * or held by a dead pid on this host or with a stale heartbeat (SQLite), or its session ended
   * (Postgres). Its open streams become `interrupted` too, keeping the counts their committed
   * checkpoints recorded; every change gets a transition row naming why. Returns the closed run ids.
   */
  closeInterruptedRuns(pipeline?: string): Promise<number[]>;
  getRun(runId: number): Promise<RunRecord | undefined>;
  /** Newest first; all runs unless `limit`. */
  listRuns(options?: { pipeline?: string; limit?: number }): Promise<RunRecord[]>;
  /** In the order they happened. */
  listTransitions(runId: number, stream?: string): Promise<TransitionRecord[]>;
  /** The run's own status changes, in the order they happened. */
  listRunTransitions(runId: number): Promise<RunTransitionRecord[]>;

  getCursor(pipeline: string, stream: string): Promise<CursorRecord | undefined>;
  /** Inserts or replaces the stream's cursor; `updatedAt` is set to now. */
  putCursor(cursor: Omit<CursorRecord, 'updatedAt'>): Promise<void>;
  /** Deletes the pipeline's cursors (one stream's if given); returns how many were deleted. */
  deleteCursors(pipeline: string, stream?: string): Promise<number>;

  /** Connector key/value state. */
  getKv(scope: string, key: string): Promise<string | undefined>;
  putKv(scope: string, key: string, value: string): Promise<void>;
  /** Sets `value` only if the stored value is `expected` (undefined: absent); returns whether it did. */
  casKv(scope: string, key: string, expected: string | undefined, value: string): Promise<boolean>;
  /** Returns whether a value was deleted. */
  deleteKv(scope: string, key: string): Promise<boolean>;
  /** The keys of `scope` that start with `keyPrefix`, sorted (e.g. every stream of a pipeline: `<pipeline>/`). */
  listKvKeys(scope: string, keyPrefix: string): Promise<string[]>;

  /** Inserts all letters in one transaction (all or none). `record` must be JSON text. */
  addDeadLetters(letters: readonly DeadLetter[]): Promise<void>;
  /** In insertion order, filtered by pipeline and/or run. */
  listDeadLetters(options: { pipeline?: string; runId?: number; limit?: number }): Promise<DeadLetter[]>;

  /**
   * Lifecycle events. Run and stream moves (`startRun`, `transition`, `finishRun`,
   * `closeInterruptedRuns`) and `addDeadLetters` write theirs in their own transaction; this
   * appends an event that reports no state change of its own (a schema change, an alert). Every
   * event queues one pending delivery per stored target of its pipeline that wants its type.
   */
  appendEvent(event: NewEvent): Promise<EventRecord>;
  getEvent(id: number): Promise<EventRecord | undefined>;
  /** Oldest first (the newest `limit` when given). */
  listEvents(filter?: EventFilter): Promise<EventRecord[]>;
  /** Replaces the pipeline's notification targets (keys and wanted types only, never a URL's secret or a header). */
  syncNotificationTargets(pipeline: string, targets: readonly TargetSubscription[]): Promise<void>;
  listDeliveries(filter?: { eventId?: number; pipeline?: string; status?: DeliveryStatus }): Promise<DeliveryRecord[]>;
  /**
   * Claims due pending deliveries for `request.owner` until now + `leaseMs`: per pipeline and
   * target only the oldest pending one (order is kept), and none under another owner's live
   * lease; an expired lease (its owner died) is taken over.
   */
  claimDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Records a claimed delivery's attempt; false (nothing written) when `owner` lost the claim. */
  completeDelivery(deliveryId: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Queues the event again for every target of its pipeline that wants it; EVENT_NOT_FOUND for an unknown id. Returns how many deliveries. */
  redeliverEvent(eventId: number): Promise<number>;

  /**
   * Takes the pipeline's run lock and resolves to its release function, or rejects with
   * PIPELINE_LOCKED naming the holder (pid, host, since). Not re-entrant: a second acquire of a
   * held lock is refused, also from the same store. A lock held by a process that died is not
   * held forever: SQLite takes over a lock whose holder pid is dead on this host or whose
   * heartbeat is stale; Postgres holds a session advisory lock that dies with its connection.
   */
  acquirePipelineLock(pipeline: string, holder: PipelineLockHolder): Promise<ReleasePipelineLock>;

  /** Records what `serve` did with a scheduled tick (or a trigger); returns its id. */
  recordTick(tick: NewTick): Promise<number>;
  /** Recorded ticks, newest first; all unless `limit`. */
  listTicks(options?: { pipeline?: string; limit?: number }): Promise<TickRecord[]>;

  /**
   * Deletes the events written before `before` (ISO-8601) whose deliveries all ended (delivered or
   * dead; or that had none), with those deliveries; a pending one keeps its event. Returns how many.
   */
  pruneEvents(before: string): Promise<number>;

  /** The pipeline's alert states (alerts never evaluated have no row: they are `ok`). */
  listAlertStates(pipeline: string): Promise<AlertStateRecord[]>;
  /**
   * Moves an alert from `move.from` to `move.to` and writes `move.event` (with its deliveries) in
   * the same transaction; resolves to that event, or to undefined (nothing written) when the
   * stored status was no longer `move.from` (another serve process moved it first).
   */
  moveAlertState(move: AlertMove): Promise<EventRecord | undefined>;

  /** Releases held locks and closes the database; idempotent; further calls reject with STORE_CLOSED. */
  /** Records a CDC stream's lag at a commit; drops the pipeline's samples older than `CDC_LAG_RETENTION_MS`. */
  recordCdcLag(sample: Omit<CdcLagSample, 'at'>): Promise<void>;
  /** The CDC lag samples of `pipeline` taken at or after `since` (ISO), oldest first. */
  listCdcLag(options: { pipeline: string; since: string }): Promise<CdcLagSample[]>;
  close(): Promise<void>;
}

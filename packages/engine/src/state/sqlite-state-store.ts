import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { migrateSqlite } from './migrations.js';
import type { RunStatus } from './run-status.js';
import { SqliteConnectorState } from './sqlite-connector-state.js';
import { SqliteCursors } from './sqlite-cursors.js';
import { SqliteDeadLetters } from './sqlite-dead-letters.js';
import { SqliteEventLog } from './sqlite-event-log.js';
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
import { SqlitePipelineLocks, type PipelineLockOptions } from './sqlite-pipeline-locks.js';
import { SqliteRunHistory } from './sqlite-run-history.js';
import { StateError } from './state-error.js';
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
import type { ReleasePipelineLock, StateStore } from './state-store.js';
import type { StreamStatus } from './stream-status.js';
import { SqliteTicks } from './sqlite-ticks.js';
import { SqliteCdcLag } from './sqlite-cdc-lag.js';
import type { CdcLagSample } from './cdc-lag-sample.js';
import { SqliteAlertStates } from './sqlite-alert-states.js';
import type { AlertMove, AlertStateRecord } from './alert-records.js';
import type { NewTick, TickRecord } from './tick-outcome.js';

/** Options of {@link openSqliteStateStore}; the defaults suit production. */
export interface SqliteStateStoreOptions {
  /** Clock for every timestamp written; default `() => new Date()`. */
  now?: () => Date;
  /** Pipeline lock timing and liveness probe. */
  locks?: PipelineLockOptions;
  /** SQLite busy timeout in ms; default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating the file and its parent directory if needed) the SQLite state DB at `path`,
 * in WAL mode with a busy timeout, and migrates its schema. Synchronous: the libSQL binding is; the
 * store's methods are asynchronous only to share {@link StateStore} with the Postgres backend.
 */
export function openSqliteStateStore(path: string, options: SqliteStateStoreOptions = {}): StateStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    // No fsync per commit (a run writes several per stream, ~1.7 ms each, on the main thread): in
    // WAL mode a killed process loses nothing; only an OS crash may lose the last commits, and those
    // lag behind the destination's watermark, which a resume reads first.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStateStore(db, options);
}

/** {@link StateStore} over one SQLite connection (the libSQL binding); each concern lives in its own class. */
class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly #runs: SqliteRunHistory;
  readonly #cursors: SqliteCursors;
  readonly #kv: SqliteConnectorState;
  readonly #deadLetters: SqliteDeadLetters;
  readonly #locks: SqlitePipelineLocks;
  readonly #events: SqliteEventLog;
  readonly #ticks: SqliteTicks;
  readonly #lag: SqliteCdcLag;
  readonly #alerts: SqliteAlertStates;

  constructor(db: Database.Database, options: SqliteStateStoreOptions) {
    const now = options.now ?? (() => new Date());
    this.#db = db;
    this.#events = new SqliteEventLog(db, now);
    this.#runs = new SqliteRunHistory(db, now, this.#events);
    this.#cursors = new SqliteCursors(db, now);
    this.#kv = new SqliteConnectorState(db, now);
    this.#deadLetters = new SqliteDeadLetters(db, now, this.#events);
    this.#locks = new SqlitePipelineLocks(db, now, options.locks);
    this.#ticks = new SqliteTicks(db, now, this.#events);
    this.#lag = new SqliteCdcLag(db, now);
    this.#alerts = new SqliteAlertStates(db, now, this.#events);
  }

  async beginRun(pipeline: string, streams: readonly string[]): Promise<number> {
    return this.#open().#runs.beginRun(pipeline, streams, this.#locks.heldBy(pipeline));
  }
  async startRun(runId: number): Promise<void> {
    this.#open().#runs.startRun(runId);
  }
  async transition(runId: number, stream: string, to: StreamStatus, reason?: string): Promise<void> {
    this.#open().#runs.transition(runId, stream, to, reason);
  }
  async recordStreamCounts(
    runId: number,
    stream: string,
    counts: StreamCounts,
    error?: StreamErrorInfo,
  ): Promise<void> {
    this.#open().#runs.recordStreamCounts(runId, stream, counts, error);
  }
  async finishRun(runId: number, status: RunStatus, outcome?: RunOutcome): Promise<void> {
    this.#open().#runs.finishRun(runId, status, outcome);
  }
  async closeInterruptedRuns(pipeline?: string): Promise<number[]> {
    return this.#open().#runs.closeInterrupted(pipeline, (p) => this.#locks.liveness(p));
  }
  async getRun(runId: number): Promise<RunRecord | undefined> {
    return this.#open().#runs.getRun(runId);
  }
  async listRuns(options?: { pipeline?: string; limit?: number }): Promise<RunRecord[]> {
    return this.#open().#runs.listRuns(options);
  }
  async listTransitions(runId: number, stream?: string): Promise<TransitionRecord[]> {
    return this.#open().#runs.listTransitions(runId, stream);
  }
  async listRunTransitions(runId: number): Promise<RunTransitionRecord[]> {
    return this.#open().#runs.listRunTransitions(runId);
  }

  async getCursor(pipeline: string, stream: string): Promise<CursorRecord | undefined> {
    return this.#open().#cursors.getCursor(pipeline, stream);
  }
  async putCursor(cursor: Omit<CursorRecord, 'updatedAt'>): Promise<void> {
    this.#open().#cursors.putCursor(cursor);
  }
  async deleteCursors(pipeline: string, stream?: string): Promise<number> {
    return this.#open().#cursors.deleteCursors(pipeline, stream);
  }

  async getKv(scope: string, key: string): Promise<string | undefined> {
    return this.#open().#kv.getKv(scope, key);
  }
  async putKv(scope: string, key: string, value: string): Promise<void> {
    this.#open().#kv.putKv(scope, key, value);
  }
  async casKv(scope: string, key: string, expected: string | undefined, value: string): Promise<boolean> {
    return this.#open().#kv.casKv(scope, key, expected, value);
  }
  async deleteKv(scope: string, key: string): Promise<boolean> {
    return this.#open().#kv.deleteKv(scope, key);
  }
  async listKvKeys(scope: string, keyPrefix: string): Promise<string[]> {
    return this.#open().#kv.listKvKeys(scope, keyPrefix);
  }

  async addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    this.#open().#deadLetters.addDeadLetters(letters);
  }
  async listDeadLetters(options: { pipeline?: string; runId?: number; limit?: number }): Promise<DeadLetter[]> {
    return this.#open().#deadLetters.listDeadLetters(options);
  }

  async appendEvent(event: NewEvent): Promise<EventRecord> {
    return this.#open().#events.append(event);
  }
  async getEvent(id: number): Promise<EventRecord | undefined> {
    return this.#open().#events.getEvent(id);
  }
  async listEvents(filter?: EventFilter): Promise<EventRecord[]> {
    return this.#open().#events.listEvents(filter);
  }
  async syncNotificationTargets(pipeline: string, targets: readonly TargetSubscription[]): Promise<void> {
    this.#open().#events.syncTargets(pipeline, targets);
  }
  async listDeliveries(filter?: {
    eventId?: number;
    pipeline?: string;
    status?: DeliveryStatus;
  }): Promise<DeliveryRecord[]> {
    return this.#open().#events.listDeliveries(filter);
  }
  async claimDeliveries(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return this.#open().#events.claim(request);
  }
  async completeDelivery(deliveryId: number, owner: string, outcome: DeliveryOutcome): Promise<boolean> {
    return this.#open().#events.complete(deliveryId, owner, outcome);
  }
  async redeliverEvent(eventId: number): Promise<number> {
    return this.#open().#events.redeliver(eventId);
  }
  async recordTick(tick: NewTick): Promise<number> {
    return this.#open().#ticks.recordTick(tick);
  }
  async listTicks(options?: { pipeline?: string; limit?: number }): Promise<TickRecord[]> {
    return this.#open().#ticks.listTicks(options);
  }
  async recordCdcLag(sample: Omit<CdcLagSample, 'at'>): Promise<void> {
    this.#open().#lag.record(sample);
  }
  async listCdcLag(options: { pipeline: string; since: string }): Promise<CdcLagSample[]> {
    return this.#open().#lag.list(options);
  }
  async pruneEvents(before: string): Promise<number> {
    return this.#open().#events.prune(before);
  }
  async listAlertStates(pipeline: string): Promise<AlertStateRecord[]> {
    return this.#open().#alerts.list(pipeline);
  }
  async moveAlertState(move: AlertMove): Promise<EventRecord | undefined> {
    return this.#open().#alerts.move(move);
  }

  async acquirePipelineLock(pipeline: string, holder: PipelineLockHolder): Promise<ReleasePipelineLock> {
    const release = this.#open().#locks.acquire(pipeline, holder);
    return async () => release();
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#locks.releaseAll();
    this.#db.close();
  }

  #open(): this {
    if (!this.#db.open)
      throw new StateError('STORE_CLOSED', 'the state store is closed', { details: { path: this.#db.name } });
    return this;
  }
}

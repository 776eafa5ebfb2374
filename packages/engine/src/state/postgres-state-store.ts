import pg from 'pg';
import { PostgresConnectorState } from './postgres-connector-state.js';
import { PostgresCursors } from './postgres-cursors.js';
import { PostgresDeadLetters } from './postgres-dead-letters.js';
import { PostgresEventLog } from './postgres-event-log.js';
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
import { migratePostgres } from './postgres-migrations.js';
import { PostgresPipelineLocks } from './postgres-pipeline-locks.js';
import { PostgresRunHistory } from './postgres-run-history.js';
import type { RunStatus } from './run-status.js';
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
import { PostgresTicks } from './postgres-ticks.js';
import { PostgresCdcLag } from './postgres-cdc-lag.js';
import type { CdcLagSample } from './cdc-lag-sample.js';
import { PostgresAlertStates } from './postgres-alert-states.js';
import type { AlertMove, AlertStateRecord } from './alert-records.js';
import type { NewTick, TickRecord } from './tick-outcome.js';

/** Options of {@link openPostgresStateStore}; the defaults suit production. */
export interface PostgresStateStoreOptions {
  /** Schema holding the state tables (created if missing); default `rapidbyte`. */
  schema?: string;
  /** Clock for every timestamp written; default `() => new Date()`. */
  now?: () => Date;
  /** Pooled connections for ordinary calls (each held pipeline lock has its own); default 4. */
  maxConnections?: number;
}

export const DEFAULT_POSTGRES_STATE_SCHEMA = 'rapidbyte';

/**
 * Connects to the Postgres state DB at `url` (a postgres:// URL, never echoed in errors),
 * creates the schema if needed and migrates it.
 */
export async function openPostgresStateStore(
  url: string,
  options: PostgresStateStoreOptions = {},
): Promise<StateStore> {
  const schema = options.schema ?? DEFAULT_POSTGRES_STATE_SCHEMA;
  if (schema === '' || schema.length > 63) {
    throw new StateError('INVALID_ARGUMENT', `state schema must be 1 to 63 characters, got "${schema}"`, {
      details: { schema },
    });
  }
  const config: pg.ClientConfig = { connectionString: url, application_name: 'rapidbyte-state' };
  const pool = new pg.Pool({ ...config, max: Math.max(1, options.maxConnections ?? 4) });
  pool.on('error', () => undefined); // an idle connection dropped: the pool replaces it on the next call
  try {
    await migratePostgres(pool, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ ...config, application_name: 'rapidbyte-lock' });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  };
  return new PostgresStateStore(pool, connect, schema, options.now ?? (() => new Date()));
}

/** {@link StateStore} over a node-postgres pool; each concern lives in its own class. */
class PostgresStateStore implements StateStore {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #runs: PostgresRunHistory;
  readonly #cursors: PostgresCursors;
  readonly #kv: PostgresConnectorState;
  readonly #deadLetters: PostgresDeadLetters;
  readonly #locks: PostgresPipelineLocks;
  readonly #events: PostgresEventLog;
  readonly #ticks: PostgresTicks;
  readonly #lag: PostgresCdcLag;
  readonly #alerts: PostgresAlertStates;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, connect: () => Promise<pg.Client>, schema: string, now: () => Date) {
    this.#pool = pool;
    this.#schema = schema;
    this.#events = new PostgresEventLog(pool, schema, now);
    this.#runs = new PostgresRunHistory(pool, schema, now, this.#events);
    this.#cursors = new PostgresCursors(pool, schema, now);
    this.#kv = new PostgresConnectorState(pool, schema, now);
    this.#deadLetters = new PostgresDeadLetters(pool, schema, now, this.#events);
    this.#locks = new PostgresPipelineLocks(connect, schema, now);
    this.#ticks = new PostgresTicks(pool, schema, now, this.#events);
    this.#lag = new PostgresCdcLag(pool, schema, now);
    this.#alerts = new PostgresAlertStates(pool, schema, now, this.#events);
  }

  async beginRun(pipeline: string, streams: readonly string[]): Promise<number> {
    return this.#open().#runs.beginRun(pipeline, streams, this.#locks.heldBy(pipeline));
  }
  async startRun(runId: number): Promise<void> {
    return this.#open().#runs.startRun(runId);
  }
  async transition(runId: number, stream: string, to: StreamStatus, reason?: string): Promise<void> {
    return this.#open().#runs.transition(runId, stream, to, reason);
  }
  async recordStreamCounts(
    runId: number,
    stream: string,
    counts: StreamCounts,
    error?: StreamErrorInfo,
  ): Promise<void> {
    return this.#open().#runs.recordStreamCounts(runId, stream, counts, error);
  }
  async finishRun(runId: number, status: RunStatus, outcome?: RunOutcome): Promise<void> {
    return this.#open().#runs.finishRun(runId, status, outcome);
  }
  async closeInterruptedRuns(pipeline?: string): Promise<number[]> {
    return this.#open().#runs.closeInterrupted(pipeline, (p) => this.#locks.liveness(this.#pool, p));
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
    return this.#open().#cursors.putCursor(cursor);
  }
  async deleteCursors(pipeline: string, stream?: string): Promise<number> {
    return this.#open().#cursors.deleteCursors(pipeline, stream);
  }

  async getKv(scope: string, key: string): Promise<string | undefined> {
    return this.#open().#kv.getKv(scope, key);
  }
  async putKv(scope: string, key: string, value: string): Promise<void> {
    return this.#open().#kv.putKv(scope, key, value);
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
    return this.#open().#deadLetters.addDeadLetters(letters);
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
    return this.#open().#events.syncTargets(pipeline, targets);
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
    return this.#open().#lag.record(sample);
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
    return this.#open().#locks.acquire(pipeline, holder);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#locks.releaseAll();
      await this.#pool.end();
    })();
    return this.#closed;
  }

  #open(): this {
    if (this.#closed !== undefined)
      throw new StateError('STORE_CLOSED', 'the state store is closed', { details: { schema: this.#schema } });
    return this;
  }
}

export {
  OPEN_RUN_STATUSES,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  TERMINAL_RUN_STATUSES,
  canTransitionRun,
  isRunStatus,
  isTerminalRunStatus,
  type RunStatus,
  type TerminalRunStatus,
} from './run-status.js';
export {
  STREAM_STATUSES,
  STREAM_TRANSITIONS,
  TERMINAL_STREAM_STATUSES,
  canTransition,
  isStreamStatus,
  isTerminalStreamStatus,
  type StreamStatus,
} from './stream-status.js';
export { STATE_ERROR_CODES, StateError, type StateErrorCode } from './state-error.js';
export type {
  CursorRecord,
  DeadLetter,
  PipelineLockHolder,
  RunErrorInfo,
  RunOutcome,
  RunRecord,
  RunTransitionRecord,
  StreamCounts,
  StreamErrorInfo,
  StreamRunRecord,
  TransitionRecord,
} from './state-records.js';
export type { ReleasePipelineLock, StateStore } from './state-store.js';
export {
  DELIVERY_STATUSES,
  type ClaimRequest,
  type ClaimedDelivery,
  type DeliveryOutcome,
  type DeliveryRecord,
  type DeliveryStatus,
  type EventFilter,
  type EventRecord,
  type NewEvent,
  type TargetSubscription,
} from './event-records.js';
export { MIGRATIONS, SCHEMA_VERSION, migrateSqlite, readSchemaVersion } from './migrations.js';
export { openSqliteStateStore, type SqliteStateStoreOptions } from './sqlite-state-store.js';
export {
  POSTGRES_MIGRATIONS,
  migratePostgres,
  readPostgresSchemaVersion,
  type PostgresMigration,
} from './postgres-migrations.js';
export {
  DEFAULT_POSTGRES_STATE_SCHEMA,
  openPostgresStateStore,
  type PostgresStateStoreOptions,
} from './postgres-state-store.js';
export { pipelineLockKey } from './postgres-pipeline-locks.js';
export { openStateStore, type StateStoreLocation } from './open-state-store.js';
export type { PipelineLockOptions } from './sqlite-pipeline-locks.js';
export { isProcessAlive } from './process-alive.js';
export { DRY_RUN_ID, dryRunStateStore } from './dry-run-state-store.js';
export { CDC_LAG_RETENTION_MS, type CdcLagSample } from './cdc-lag-sample.js';
export { TICK_OUTCOMES, type NewTick, type TickOutcome, type TickRecord } from './tick-outcome.js';
export { listRunsWithTransitions, type RunWithTransitions } from './list-runs-with-transitions.js';
export { ALERT_STATUSES, type AlertMove, type AlertStateRecord, type AlertStatus } from './alert-records.js';

import type { ErrorKind } from '../guest/wit-types.js';

/**
 * What a failure is about, and the `rapidbyte` exit code each category maps to. The exit code of a
 * failed run is derived from the category of its error's code; nothing lists exit codes per code.
 */
export const ERROR_CATEGORY_EXIT_CODES = {
  /** Anything else: a stream failed for another reason. */
  failure: 1,
  /** The pipeline file, a connector's config or a stream's settings are invalid. */
  config: 2,
  /** A connection, authentication or network permission failed. */
  connection: 3,
  /** A value the destination rejected (or one the pipeline cannot carry). */
  data: 4,
  /** The stream stopped part way with what it committed kept (e.g. a stalled CDC stream). */
  partial: 5,
  /** SIGINT/SIGTERM. */
  interrupted: 130,
} as const;
export type ErrorCategory = keyof typeof ERROR_CATEGORY_EXIT_CODES;

/** One registered error code. */
export interface ErrorCodeSpec {
  /** How the code is raised; an error's own `kind` (e.g. a timeout retried once) drives retries. */
  readonly kind: ErrorKind;
  readonly category: ErrorCategory;
  /** One line that says what to do about it. */
  readonly hint: string;
}

const permanent = (category: ErrorCategory, hint: string): ErrorCodeSpec => ({ kind: 'permanent', category, hint });
const transient = (category: ErrorCategory, hint: string): ErrorCodeSpec => ({ kind: 'transient', category, hint });

const STATE_RESET = 'run `rapidbyte state reset <pipeline.yaml>` (add `--stream <name>` for one stream) to re-snapshot';
const BUG = "a bug in rapidbyte or the connector: report it with the message and the run's --log-level debug output";

/**
 * Every stable error code the engine, the SDK and the connectors raise. Connectors send codes to
 * the host as strings over WIT, so a code missing here still works (see `errorCodeInfo`); a code
 * added here gets its exit code and hint everywhere at once.
 */
export const ERROR_CODES = {
  // configuration (exit 2)
  CONFIG_INVALID: permanent(
    'config',
    'fix the named key in the pipeline file or the connector config, then run `rapidbyte check <pipeline.yaml>`',
  ),
  CONNECTOR_UNAVAILABLE: permanent(
    'config',
    'check `use:` in the pipeline file; `rapidbyte connectors` lists what is installed, and `pnpm build` builds the bundled ones',
  ),
  UNSUPPORTED_MODE_PAIR: permanent(
    'config',
    'pick a valid sync_mode × write_mode pair: full_refresh × append|replace|upsert, incremental × append|upsert, cdc × upsert|append',
  ),
  UNSUPPORTED_SYNC_MODE: permanent(
    'config',
    "set the stream's sync_mode to one the source connector supports (`rapidbyte spec <connector>`)",
  ),
  UNSUPPORTED_WRITE_MODE: permanent(
    'config',
    'set write_mode to one the destination connector supports (`rapidbyte spec <connector>`)',
  ),
  UNSUPPORTED_OPERATION: permanent(
    'config',
    'this connector does not implement the operation; use it in the role its manifest declares',
  ),
  CURSOR_NULL: permanent(
    'config',
    'rows with a NULL cursor_field are never read incrementally: set on_null_cursor: include (or skip) on the stream, or pick a cursor that is never NULL',
  ),
  CURSOR_FIELD_REQUIRED: permanent(
    'config',
    'set cursor_field on the incremental stream (`rapidbyte discover` suggests one)',
  ),
  CURSOR_TYPE_UNSUPPORTED: permanent(
    'config',
    'pick a cursor_field of an integer, numeric, date, timestamp or text type, or use sync_mode full_refresh',
  ),
  LOOKBACK_INVALID: permanent('config', 'set lookback to a non-negative Postgres interval, e.g. "5 minutes"'),
  LOOKBACK_NEEDS_UPSERT: permanent(
    'config',
    'lookback re-reads rows: set write_mode upsert on the stream, or drop lookback',
  ),
  LOOKBACK_UNSUPPORTED: permanent(
    'config',
    'lookback needs a date or timestamp cursor_field; drop lookback or pick such a cursor',
  ),
  PRIMARY_KEY_REQUIRED: permanent(
    'config',
    'set primary_key on the stream (or the destination), or give the source table a primary key',
  ),
  PRIMARY_KEY_COLUMN_MISSING: permanent(
    'config',
    "list only columns the stream carries in primary_key, or add the key column to the stream's columns",
  ),
  SHARD_KEY_INVALID: permanent('config', 'shard by a NOT NULL key column of the table, or drop shards from the stream'),
  PRIMARY_KEY_MISSING_IN_DATA: permanent(
    'config',
    "the stream's data lacks a primary_key column: add it to the stream's columns list, or set primary_key to columns it carries",
  ),
  BAD_KIND: permanent('config', 'scaffold a source, destination or transform'),
  BAD_NAME: permanent('config', 'name the connector in lowercase letters, digits and dashes'),
  TARGET_NOT_EMPTY: permanent('config', 'scaffold into a new or empty directory'),

  // connection and authentication (exit 3)
  CONNECTION_FAILED: transient(
    'connection',
    'check host, port and that the server is up and reachable; transient failures are retried up to resources.retry.max_retries',
  ),
  CONNECTION_LOST: transient(
    'connection',
    'the server closed the connection (restart, pg_terminate_backend, network); it is retried up to resources.max_retries',
  ),
  AUTH_FAILED: permanent(
    'connection',
    'check the user and password (percent-encode @ : / % in a url) and pg_hba.conf; `rapidbyte check <pipeline.yaml>` tests both ends',
  ),
  DATABASE_NOT_FOUND: permanent(
    'connection',
    'check the database name in the connector config, or create the database',
  ),
  TOO_MANY_CONNECTIONS: transient('connection', 'lower resources.parallelism or raise max_connections on the server'),
  NETWORK_DENIED: permanent('connection', "add the host to the connector's permissions.network.allowed_hosts"),
  FS_DENIED: permanent(
    'connection',
    "add the path (or a folder above it) to the connector's permissions.fs.allowed_paths",
  ),

  // data (exit 4)
  ROW_REJECTED: permanent(
    'data',
    'fix the row at the source, or set destination.on_data_error to skip or dlq to load the other rows',
  ),
  ROWS_REJECTED: transient(
    'data',
    'the destination rejected rows; the next attempt isolates them (set destination.on_data_error to skip or dlq to load the others)',
  ),
  NULL_IN_NOT_NULL: permanent(
    'data',
    'the destination column is NOT NULL but a row has no value: drop the constraint, fill the value at the source, or set destination.on_data_error to skip or dlq',
  ),
  VALUE_OUT_OF_RANGE: permanent(
    'data',
    "the value does not fit the column's type: widen the destination column, or set destination.on_data_error to skip or dlq",
  ),
  UNSUPPORTED_CONVERSION: permanent(
    'data',
    "the destination column's type cannot hold the source column's: change one of the types, or leave the column out with the stream's columns list",
  ),
  MISSING_COLUMN: permanent(
    'data',
    "the destination table has a NOT NULL column the stream does not carry: add it to the stream's columns or drop the constraint",
  ),
  BAD_VALUE: permanent(
    'data',
    "a value is not valid for its column's type: fix it at the source, or leave the column out with the stream's columns list",
  ),
  CAST_FAILED: permanent(
    'data',
    'a value does not convert to the target type: fix the value, pick another cast type, or send such rows to the dead-letter queue',
  ),
  VALIDATION_FAILED: permanent(
    'data',
    "rows broke the validate transform's rules: fix them at the source, or set its on_data_error to skip or dlq",
  ),
  COLUMN_MISSING_AT_DESTINATION: permanent(
    'data',
    "add the column to the destination table, or leave it out with the stream's columns list",
  ),

  // partial (exit 5)
  CDC_STALLED: permanent(
    'partial',
    "the CDC stream made no progress; what it committed is kept: check the source's replication slot and the destination, then run again",
  ),
  STREAM_STALLED: permanent(
    'partial',
    'the stream made no progress twice in a row; what it committed is kept: check the source query (pg_stat_activity) and the destination, then run again',
  ),
  TIMEOUT: permanent(
    'partial',
    'the stream or run ran past resources.timeouts and drained; what it committed is kept: run again to resume, or raise the limit',
  ),
  RUN_FAILED: permanent(
    'failure',
    'the run failed outside its streams: the message says where; fix that and run again (committed work is kept)',
  ),

  // interrupted (exit 130)
  CANCELLED: permanent(
    'interrupted',
    'the run was interrupted (SIGINT/SIGTERM); run again to resume from the last checkpoint',
  ),

  // everything else (exit 1): source and destination tables
  TABLE_NOT_FOUND: permanent(
    'failure',
    'check the stream name (schema.table) and that the role can see the table; `rapidbyte discover <pipeline.yaml>` lists the tables',
  ),
  COLUMN_NOT_FOUND: permanent(
    'failure',
    "check the column names in the stream's columns, cursor_field and primary_key against the table",
  ),
  ROW_SECURITY_FILTERED: permanent(
    'failure',
    'read as the table owner or a role with BYPASSRLS (ALTER ROLE … BYPASSRLS), or set source.config.row_security: true to copy only the rows the policies allow, deliberately',
  ),
  PERMISSION_DENIED: permanent(
    'failure',
    "grant the connector's role the privilege the message names (SELECT on the source; CREATE and INSERT on the destination schema)",
  ),
  TABLE_NOT_CREATED: permanent('failure', 'something dropped the table right after it was created; run again'),
  UNKNOWN_COLUMN_TYPE: permanent(
    'failure',
    "the destination cannot create a column of this type: leave the column out with the stream's columns list",
  ),
  INVALID_TYPE_NAME: permanent(
    'failure',
    "the column's type name cannot be used in DDL: create the destination table yourself, or leave the column out",
  ),
  ENUM_LABELS_MISSING: permanent(
    'failure',
    'the enum column came without its labels: create the enum type at the destination, or leave the column out',
  ),
  SCHEMA_CHANGE_REFUSED: permanent(
    'failure',
    'the source schema changed in a way destination.schema_evolution refuses: relax that policy or change the destination table yourself',
  ),
  DEPENDENT_VIEW: permanent(
    'failure',
    'a view depends on the table write_mode replace swaps: drop it and recreate it after the run, or use write_mode upsert',
  ),
  DEPENDENT_FOREIGN_KEY: permanent(
    'failure',
    'a foreign key of another table points at the table replace swaps: grant the loader role ownership of that table, or drop the key',
  ),
  FOREIGN_KEY_VIOLATION: permanent(
    'failure',
    'rows violate a foreign key of the destination table: load the referenced table first, or drop the constraint',
  ),
  DUPLICATE_KEY: permanent(
    'failure',
    'the source sent two rows with the same primary key (or unique columns) of the destination table: fix the source, or set primary_key to columns that are unique',
  ),
  REFERENCED_ROWS_MISSING: permanent(
    'failure',
    'another table references rows the new data lacks: load those rows, or drop or defer that foreign key',
  ),
  PRIMARY_KEY_NOT_UNIQUE: permanent(
    'failure',
    'upsert needs a primary key or unique index on exactly the key columns of the destination table: add one, or set primary_key to the columns of one',
  ),
  LOCK_TIMEOUT: transient(
    'failure',
    'another session holds a lock on the table: find it in pg_stat_activity and end it, or run later',
  ),
  INVALID_CHECKPOINT: permanent('failure', `the destination's stored watermark is unreadable: ${STATE_RESET}`),
  FENCED: permanent(
    'failure',
    'a newer attempt of this stream (a retry on another worker, or a second run) took it over; its commits stand: check that run, nothing to undo here',
  ),
  CLUSTER_UNAVAILABLE: permanent(
    'failure',
    "the cluster cannot take the run: start a worker on the state DB (`rapidbyte worker --state <url>`), or wait for the pipeline's run on the cluster to end",
  ),
  CHAIN_FAILED: permanent(
    'failure',
    "a chain ended on a worker without a result (the worker failed outside the stream): `rapidbyte workers` and that worker's log say why; the rerun resumes from the last commit",
  ),

  // incremental and sharded reads
  CURSOR_FIELD_CHANGED: permanent(
    'failure',
    "cursor_field changed since the last run: reset the stream's state (`rapidbyte state reset <pipeline.yaml> --stream <name>`)",
  ),
  CURSOR_SENTINEL_STORED: permanent(
    'failure',
    "the stored cursor is an infinity value: reset the stream's state, or use write_mode upsert",
  ),
  SHARD_SNAPSHOT_INVALID: permanent('failure', BUG),
  SHARD_PLAN_FAILED: permanent(
    'failure',
    'planning key ranges for shards failed: see the message, or drop shards from the stream',
  ),
  SHARD_COORDINATOR_FAILED: permanent(
    'failure',
    "the connection that holds the shards' shared snapshot failed: see the message and run again",
  ),

  // CDC
  NO_REPLICA_IDENTITY: permanent(
    'failure',
    'give the table a primary key or run ALTER TABLE … REPLICA IDENTITY FULL, so deletes and updates can be replicated',
  ),
  CDC_NOT_A_TABLE: permanent(
    'failure',
    'CDC reads tables only: use sync_mode full_refresh or incremental for views and other relations',
  ),
  CDC_TABLE_RECREATED: permanent(
    'failure',
    'the table was dropped and created again: re-snapshot it with `rapidbyte run <pipeline.yaml> --full-refresh --streams <stream>`',
  ),
  CDC_UNLOGGED_TABLE: permanent(
    'failure',
    'unlogged tables are not in the WAL: ALTER TABLE … SET LOGGED, or use sync_mode full_refresh',
  ),
  CDC_TYPE_UNSUPPORTED: permanent(
    'failure',
    "leave the column out with the stream's columns list, or use sync_mode full_refresh or incremental",
  ),
  CDC_KEY_NOT_IN_REPLICA_IDENTITY: permanent(
    'failure',
    'key the stream by the primary key, or ALTER TABLE … REPLICA IDENTITY FULL',
  ),
  CDC_COLUMN_RESERVED: permanent(
    'failure',
    "a column is named like a change-log column (_rb_op, _rb_lsn, …): rename it or leave it out with the stream's columns list",
  ),
  CDC_COLUMNS_MISSING: permanent(
    'failure',
    'the destination got CDC frames without their change columns; the source connector must send them',
  ),
  CDC_INVALID_OP: permanent('failure', BUG),
  CDC_TRUNCATE_NOT_ALONE: permanent('failure', BUG),
  CDC_UNCHANGED_VALUE_UNKNOWN: permanent(
    'failure',
    `an update kept a TOAST value the destination does not have: ${STATE_RESET} the stream`,
  ),
  CDC_SCHEMA_CHANGED: permanent(
    'failure',
    "the source table's columns changed under the CDC stream: allow the change in destination.schema_evolution, or re-snapshot the stream",
  ),
  CDC_TEXT_VALUE: permanent('failure', BUG),
  CDC_KEY_UNKNOWN: permanent(
    'failure',
    "a change's key is not known: ALTER TABLE … REPLICA IDENTITY FULL on the source table, then re-snapshot the stream",
  ),
  CDC_BAD_OPTIONS: permanent('failure', BUG),
  WAL_LEVEL: permanent(
    'failure',
    'set wal_level = logical on the source (ALTER SYSTEM SET wal_level = logical) and restart the server',
  ),
  NO_REPLICATION_PRIVILEGE: permanent('failure', "ALTER ROLE <user> REPLICATION for the source connector's role"),
  NO_FREE_SLOT: permanent('failure', 'raise max_replication_slots on the source or drop an unused replication slot'),
  NO_FREE_WAL_SENDER: permanent(
    'failure',
    'raise max_wal_senders on the source, or end another replication connection',
  ),
  SERVER_TOO_OLD: permanent(
    'failure',
    'CDC needs PostgreSQL 14 or newer on the source; use sync_mode incremental on older servers',
  ),
  PUBLICATION_NOT_OWNED: permanent(
    'failure',
    "make the connector's role own the publication, or set cdc.publication_name to one of its own",
  ),
  PREFLIGHT_FAILED: permanent(
    'failure',
    'run `rapidbyte check <pipeline.yaml>`: it names the CDC requirement the source does not meet',
  ),
  SLOT_INVALIDATED: permanent(
    'failure',
    `the server removed WAL the slot still needed: ${STATE_RESET} every CDC stream of the source`,
  ),
  SLOT_MISSING: permanent('failure', `the replication slot was dropped: ${STATE_RESET} every CDC stream of the source`),
  SLOT_NOT_PGOUTPUT: permanent(
    'failure',
    'the slot name is taken by another kind of slot: set cdc.slot_name to another name, or drop that slot',
  ),
  SLOT_CREATE_TIMEOUT: permanent(
    'failure',
    'creating the replication slot waits for the transactions the message names: end them, then run again',
  ),
  LSN_GAP: permanent('failure', `changes between the destination and the slot are gone: ${STATE_RESET} the stream`),
  REPLICATION_FAILED: permanent(
    'failure',
    'the replication connection failed: see the message; the run resumes from the last committed LSN',
  ),
  REPLICATION_UNAVAILABLE: permanent(
    'failure',
    'logical replication is only for sync_mode cdc streams: set sync_mode cdc on the stream',
  ),
  REPLICATION_PROTOCOL: permanent('failure', BUG),
  PGOUTPUT_PROTOCOL: permanent('failure', BUG),
  OID_NAME_LOOKUP_FAILED: transient(
    'failure',
    'the source could not turn OIDs into names: it is retried; check the source connection if it persists',
  ),
  OBJECT_IN_USE: transient(
    'failure',
    'another session holds the object (e.g. a walsender still holds the slot): it is retried; end that session if it persists',
  ),
  INVALID_LSN: permanent('failure', `a stored LSN is unreadable: ${STATE_RESET} the stream`),

  // Postgres conditions worth their own name (see sqlstateCode)
  ADMIN_SHUTDOWN: transient(
    'failure',
    'the server is shutting down or restarting: it is retried up to resources.max_retries',
  ),
  SERIALIZATION_FAILURE: transient(
    'failure',
    'a concurrent transaction conflicted: it is retried up to resources.max_retries',
  ),
  DEADLOCK: transient(
    'failure',
    'a concurrent transaction deadlocked with the load: it is retried up to resources.max_retries',
  ),

  // the engine's own machinery
  CONNECTOR_TIMEOUT: transient(
    'failure',
    'a connector step ran longer than resources.connector_step_timeout: raise it, or report the connector if it hangs',
  ),
  CONNECTOR_MEMORY_RECYCLED: transient(
    'failure',
    "not a failure: a connector's memory grew halfway to resources.connector_memory after a commit, so the stream restarted it from the last commit",
  ),
  CONNECTOR_MEMORY_EXCEEDED: permanent(
    'failure',
    'raise resources.connector_memory, or lower resources.max_batch_bytes',
  ),
  CONNECTOR_BUG: permanent('failure', BUG),
  WORKER_CRASHED: permanent('failure', BUG),
  CONNECTOR_INSTANCE_UNBOUND: permanent('failure', BUG),
  WORKER_EXITED: permanent(
    'failure',
    "the stream's worker thread exited (out of memory?): lower resources.parallelism or resources.max_batch_bytes",
  ),
  STATE_WRITE_FAILED: permanent(
    'failure',
    'the state DB could not be written: check its disk space and permissions (or its server), then run again',
  ),
  HOST_ERROR: permanent('failure', BUG),
  NO_CATALOG: permanent('failure', 'the source connector returned no catalog from discover: report the connector'),
  PROTOCOL: permanent(
    'failure',
    'the connector and the engine disagree on the WIT protocol: rebuild the connector against this SDK',
  ),
  BAD_REQUEST: permanent('failure', BUG),
  BAD_HANDLE: permanent('failure', BUG),
  BAD_IPC: permanent('failure', 'the connector built an invalid Arrow IPC frame: report the connector'),
  NO_INPUT: permanent('failure', BUG),
  NO_SESSION: permanent('failure', BUG),
  NO_STREAM: permanent('failure', BUG),
  STREAM_ATTACHED: permanent('failure', BUG),
  STREAM_NOT_ATTACHED: permanent('failure', BUG),
  COPY_FAILED: permanent('failure', 'the COPY already failed: the session cannot use it any more'),

  // COPY BINARY decoding (a corrupt or cut stream)
  BAD_HEADER: permanent('failure', BUG),
  BAD_FIELD_COUNT: permanent('failure', BUG),
  BAD_FIELD_LENGTH: permanent('failure', BUG),
  TRUNCATED: permanent('failure', 'the COPY stream ended early (a dropped connection?): run again'),
  DATA_AFTER_TRAILER: permanent('failure', BUG),

  // frame operations of transforms
  BAD_CAST_TYPE: permanent('config', "use a cast type the frame operations know (see the transform's README)"),
  BAD_PREDICATE: permanent('config', 'fix the filter predicate in the transform config (column, operator and value)'),
  BAD_ALGORITHM: permanent('config', "use a hash algorithm the frame operations know (see the transform's README)"),
  UNSUPPORTED_TYPE: permanent(
    'failure',
    "the frame operation does not support this column's Arrow type: leave the column out of it",
  ),
  BAD_RANGE: permanent('failure', BUG),

  // state DB
  PIPELINE_LOCKED: permanent(
    'failure',
    'another run of this pipeline holds its lock: wait for it to finish, or stop that process',
  ),
  ILLEGAL_TRANSITION: permanent('failure', BUG),
  RUN_NOT_FOUND: permanent('failure', 'no run with that id: `rapidbyte runs --pipeline <pipeline.yaml>` lists them'),
  RUN_ALREADY_FINISHED: permanent('failure', BUG),
  STREAM_NOT_FOUND: permanent(
    'failure',
    "no such stream in this pipeline's state: check the name (`rapidbyte state show <pipeline.yaml>`)",
  ),
  DUPLICATE_STREAM: permanent('failure', BUG),
  INVALID_ARGUMENT: permanent('failure', BUG),
  SCHEMA_TOO_NEW: permanent(
    'failure',
    'the state DB was written by a newer rapidbyte: upgrade, or point state.connection elsewhere',
  ),
  STORE_CLOSED: permanent('failure', BUG),
  EVENT_NOT_FOUND: permanent(
    'failure',
    'no event with that id: `rapidbyte events list --pipeline <pipeline.yaml>` lists them',
  ),

  // serve and its control commands
  SERVE_CONFIG_INVALID: permanent(
    'config',
    'serve needs a system database (--system-database <postgres-url> or RAPIDBYTE_SYSTEM_DATABASE_URL) and, to listen beyond 127.0.0.1, RAPIDBYTE_API_TOKEN',
  ),
  SERVE_UNREACHABLE: permanent(
    'connection',
    'no `rapidbyte serve` answers at that address: start it, or pass --server http://host:port (or set RAPIDBYTE_SERVER_URL)',
  ),
  SERVE_UNAUTHORIZED: permanent('config', 'set RAPIDBYTE_API_TOKEN to the token the serve process was started with'),
  SERVE_REQUEST_REFUSED: permanent(
    'failure',
    'serve refused the request: the message says why (an unknown pipeline, a run that is not running here, a pipeline already running)',
  ),

  // scaffolded example connectors
  BAD_JSON: permanent('data', 'fix the line the message names: each line of the file must be one JSON object'),
  EMPTY_STREAM: permanent(
    'failure',
    'the stream had no rows and fail_on_empty is set: check the source, or unset fail_on_empty',
  ),
} as const satisfies Readonly<Record<string, ErrorCodeSpec>>;

export type ErrorCode = keyof typeof ERROR_CODES;

import type { DataErrorPolicy } from '@rapidbyte/sdk/contract';
import type { RetryConfig } from './retry-config.js';
import type { OnNullCursor, StateBackend, SyncMode, WriteMode } from './modes.js';
import type { SchemaEvolution } from './schema-evolution.js';
import type { EndpointHost } from './endpoint-hosts.js';

/** `permissions.network`, with the hosts the connector's own config names. */
export interface NetworkPermissions {
  /** `allowed_hosts` as written: hosts granted on top of `endpointHosts` (`*`: every host). */
  readonly allowedHosts: readonly string[];
  /** `allowed_hosts_only: true`: `allowedHosts` is the only grant, `endpointHosts` are not allowed. */
  readonly allowedHostsOnly?: boolean;
  /**
   * Hosts named by the config fields the connector's manifest declares as endpoints
   * (`endpointFields`: a database `url`, a `host`), found when the file is loaded; allowed without
   * being listed. Absent when the connector declares none.
   */
  readonly endpointHosts?: readonly EndpointHost[];
}
import type { Dependency, Schedule } from '../schedule/index.js';
import type { NotificationConfig } from './notification-config.js';
import type { AlertsConfig } from './alerts-config.js';

/** What a connector may reach. Enforced by the component host on every capability call. */
export interface Permissions {
  readonly network: NetworkPermissions;
  /** Absolute paths (relative ones are resolved against the pipeline file's directory). */
  readonly fs: { readonly allowedPaths: readonly string[] };
}

/** A connector named in `use:` with its (interpolated, connector-validated) config. */
export interface ConnectorRef {
  readonly use: string;
  /** The connector's own config, keys as written (snake_case), `${VAR}`s substituted. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly permissions: Permissions;
}

/** One stream of the source, with destination settings already resolved. */
export interface StreamConfig {
  /**
   * As written, e.g. 'public.users' (a bare name means the `public` schema), or a pattern
   * ('public.*', 'sales.order_?') that the engine expands from the source's catalog before a run.
   */
  readonly name: string;
  /** Pattern streams only: names or patterns the pattern must not select. */
  readonly exclude?: readonly string[];
  readonly syncMode: SyncMode;
  readonly cursorField?: string;
  /** incremental: re-read this window before the stored cursor (`5 minutes`). */
  readonly lookback?: string;
  /** incremental: rows whose cursor is NULL — absent means `fail`. */
  readonly onNullCursor?: OnNullCursor;
  readonly columns?: readonly string[];
  /** Stream override ?? `destination.write_mode` ?? 'append'. */
  readonly writeMode: WriteMode;
  /** Stream override ?? `destination.primary_key`; undefined means the source table's key. */
  readonly primaryKey?: readonly string[];
  /** `destination_table`, else the source table with `destination.table_prefix` (unset: the source table). */
  readonly destinationTable?: string;
  /** The stream sets `destination_table` itself (not through `table_prefix`): streams may share such a table under `append`. */
  readonly destinationTableExplicit?: boolean;
  /**
   * Effective schema-evolution policy: the stream's `schema_evolution` keys over
   * `destination.schema_evolution` over the defaults. Absent when that is the default
   * (add / ignore / fail / allow), which is what the destination applies without one.
   */
  readonly schemaEvolution?: SchemaEvolution;
  /**
   * `shards`: split a full refresh into this many primary-key range chains reading one exported
   * snapshot; `auto` (the default when absent) decides from the core count and the table size.
   */
  readonly shards?: number | 'auto';
  /** `destination.dlq.table`: the destination table dead letters are also written to. */
  readonly dlqTable?: string;
}

/** `destination.table_prefix`: one prefix, or one per source schema (schemas not listed get none). */
export type TablePrefix = string | Readonly<Record<string, string>>;

/** The destination with its load policy. */
export interface DestinationConfig extends ConnectorRef {
  readonly writeMode: WriteMode;
  readonly primaryKey?: readonly string[];
  readonly onDataError: DataErrorPolicy;
  readonly schemaEvolution: SchemaEvolution;
  /** `dlq.table`: dead letters are also written to this destination table (same transaction as the good rows). */
  readonly dlqTable?: string;
  readonly tablePrefix?: TablePrefix;
}

/** Where state lives. For sqlite, `connection` is an absolute file path. */
export interface StateConfig {
  readonly backend: StateBackend;
  readonly connection: string;
}

/** `resources.timeouts`, in milliseconds; an absent key is no limit. */
export interface TimeoutsConfig {
  readonly streamMs?: number;
  readonly runMs?: number;
}

/** Limits and batching; every field has a default. */
export interface ResourcesConfig {
  /** Streams run at once; 'auto' lets the orchestrator decide from the core count. */
  readonly parallelism: number | 'auto';
  /** Bytes per frame (YAML accepts '8mb', '512kb' or a number); default 8 MiB. */
  readonly maxBatchBytes: number;
  /** Rows per frame; default 65536. */
  readonly batchRows: number;
  /** Rows between checkpoints; default 500000. */
  readonly checkpointIntervalRows: number;
  /** Approximate bytes between checkpoints (whichever of rows/bytes comes first); default 256 MiB. */
  readonly checkpointIntervalBytes: number;
  /**
   * How transient failures are retried (`retry`: backoff, initial_delay, max_delay, jitter,
   * max_retries; the older `max_retries` beside it sets the same count); default: exponential from 500 ms to 30 s, half jitter, 3 retries.
   */
  readonly retry: RetryConfig;
  /**
   * `timeouts.stream` / `timeouts.run` (durations; unset: none): a stream, or the whole run, still
   * running past its limit drains like on SIGINT and ends failed with `TIMEOUT`.
   */
  readonly timeouts: TimeoutsConfig;
  /**
   * Ceiling on one connector instance's linear memories, checked after each `run-step`
   * (`connector_memory`, a byte size); default 512 MiB. Past it the stream fails with
   * `CONNECTOR_MEMORY_EXCEEDED`.
   */
  readonly connectorMemoryBytes: number;
  /**
   * How long one `run-step` of a connector may run (`connector_step_timeout`: '60s', '500ms' or
   * seconds); default 60 s. Past it the stream's worker is terminated: `CONNECTOR_TIMEOUT`.
   */
  readonly connectorStepTimeoutMs: number;
  /**
   * The stall watchdog (`stall_timeout`: '60s', '2m' or seconds; default 60 s): a stream that makes
   * no progress for this long while progress is owed is restarted from its last commit, and fails
   * with `CDC_STALLED` / `STREAM_STALLED` when it stalls again without committing in between.
   */
  readonly stallTimeoutMs: number;
}

/**
 * Secret values found while loading (password fields, URL passwords, values of secret-named
 * variables). Symbol-keyed so it never shows up in JSON or in a spread; read by `redactSecrets`.
 */
export const SECRET_VALUES: unique symbol = Symbol('rapidbyte.config.secretValues');

/** A validated, deeply frozen pipeline (see docs/architecture.md#configuration). */
export interface PipelineConfig {
  readonly version: '1.0';
  /** Pipeline name, `[A-Za-z0-9_-]+`; keys its state. */
  readonly pipeline: string;
  /** Absolute path of the YAML file. */
  readonly file: string;
  readonly source: ConnectorRef & { readonly streams: readonly StreamConfig[] };
  readonly transforms: readonly ConnectorRef[];
  readonly destination: DestinationConfig;
  readonly state: StateConfig;
  readonly resources: ResourcesConfig;
  /** `schedule:` (defaults applied): when `rapidbyte serve` starts the pipeline; `run` ignores it. */
  readonly schedule?: Schedule;
  /** `depends_on:`: pipelines of the same project whose runs start this one (names checked by `loadProject`). */
  readonly dependsOn?: readonly Dependency[];
  /** `notifications:`: where the pipeline's lifecycle events are sent (headers and secrets are secret values). */
  readonly notifications?: readonly NotificationConfig[];
  /** `alerts:`: thresholds `rapidbyte serve` watches (each fires one event when it starts and one when it resolves). */
  readonly alerts?: AlertsConfig;
  readonly [SECRET_VALUES]?: readonly string[];
}

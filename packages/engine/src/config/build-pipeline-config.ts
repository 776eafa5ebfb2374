import path from 'node:path';
import type { DataErrorPolicy } from '@rapidbyte/sdk/contract';
import type { OnNullCursor, StateBackend, SyncMode, WriteMode } from './modes.js';
import { parseByteSize } from './parse-byte-size.js';
import { parseDuration } from './parse-duration.js';
import { DEFAULT_RETRY, type RetryConfig } from './retry-config.js';
import { prefixedTableName } from './destination-table-name.js';
import { buildScheduleConfig } from './build-schedule-config.js';
import { buildNotificationsConfig } from './build-notifications-config.js';
import { buildAlertsConfig } from './build-alerts-config.js';
import type { ConnectorRef, Permissions, PipelineConfig, StreamConfig, TablePrefix } from './pipeline-config.js';
import { isStreamPattern } from './stream-pattern.js';
import { SECRET_VALUES } from './pipeline-config.js';
import { endpointHosts } from './endpoint-hosts.js';
import {
  DEFAULT_SCHEMA_EVOLUTION,
  isDefaultSchemaEvolution,
  mergeSchemaEvolution,
  type SchemaEvolution,
} from './schema-evolution.js';

/** Default state DB file, relative to the pipeline file's directory. */
export const DEFAULT_SQLITE_STATE = '.rapidbyte/state.db';
/** Defaults of `resources`. */
export const DEFAULT_RESOURCES = Object.freeze({
  parallelism: 'auto' as const,
  maxBatchBytes: 8 * 1024 * 1024,
  batchRows: 65_536,
  checkpointIntervalRows: 500_000,
  checkpointIntervalBytes: 256 * 1024 * 1024,
  connectorMemoryBytes: 512 * 1024 * 1024,
  connectorStepTimeoutMs: 60_000,
  stallTimeoutMs: 60_000,
});

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated input
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- reads of Raw, as above */

/** The endpoint fields each connector's manifest declares (`endpointFields`), by its block; absent: none. */
export interface EndpointFields {
  readonly source?: readonly string[];
  readonly destination?: readonly string[];
  readonly transforms?: readonly (readonly string[] | undefined)[];
}

/**
 * Maps a schema-valid raw (snake_case) document to the camelCase {@link PipelineConfig},
 * applying defaults and resolving paths against the pipeline file's directory. Not frozen.
 */
export function buildPipelineConfig(
  doc: Raw,
  file: string,
  secrets: readonly string[],
  endpoints: EndpointFields = {},
): PipelineConfig {
  const dir = path.dirname(file);
  const dest: Raw = doc.destination;
  const destWriteMode: WriteMode = dest.write_mode ?? 'append';
  const destKey = keyColumns(dest.primary_key);
  const tablePrefix = dest.table_prefix as TablePrefix | undefined;
  const schemaEvolution = mergeSchemaEvolution(DEFAULT_SCHEMA_EVOLUTION, dest.schema_evolution);
  const streams = (doc.source.streams as Raw[]).map((s): StreamConfig => ({
    name: s.name,
    syncMode: s.sync_mode as SyncMode,
    ...(s.cursor_field !== undefined && { cursorField: s.cursor_field }),
    ...(s.lookback !== undefined && { lookback: String(s.lookback).trim() }),
    ...(s.on_null_cursor !== undefined && { onNullCursor: s.on_null_cursor as OnNullCursor }),
    ...(s.columns !== undefined && { columns: [...s.columns] }),
    writeMode: (s.write_mode as WriteMode | undefined) ?? destWriteMode,
    ...((keyColumns(s.primary_key) ?? destKey) !== undefined && { primaryKey: keyColumns(s.primary_key) ?? destKey }),
    ...(s.exclude !== undefined && { exclude: [...s.exclude] }),
    ...destinationTableOf(s, tablePrefix),
    ...unlessDefault(mergeSchemaEvolution(schemaEvolution, s.schema_evolution)),
    ...(s.shards !== undefined && { shards: s.shards === 'auto' ? 'auto' : Number(s.shards) }),
    ...(dest.dlq?.table !== undefined && { dlqTable: String(dest.dlq.table) }),
  }));
  const state: Raw = doc.state ?? {};
  const backend: StateBackend = state.backend ?? 'sqlite';
  const resources: Raw = doc.resources ?? {};
  return {
    version: doc.version,
    pipeline: doc.pipeline,
    file,
    source: { ...connector(doc.source, dir, endpoints.source), streams },
    transforms: ((doc.transforms ?? []) as Raw[]).map((t, i) => connector(t, dir, endpoints.transforms?.[i])),
    destination: {
      ...connector(dest, dir, endpoints.destination),
      writeMode: destWriteMode,
      ...(destKey !== undefined && { primaryKey: destKey }),
      onDataError: (dest.on_data_error as DataErrorPolicy | undefined) ?? 'fail',
      schemaEvolution,
      ...(dest.dlq?.table !== undefined && { dlqTable: String(dest.dlq.table) }),
      ...(tablePrefix !== undefined && {
        tablePrefix: typeof tablePrefix === 'string' ? tablePrefix : { ...tablePrefix },
      }),
    },
    state: {
      backend,
      connection: backend === 'sqlite' ? path.resolve(dir, state.connection ?? DEFAULT_SQLITE_STATE) : state.connection,
    },
    resources: {
      parallelism: resources.parallelism ?? DEFAULT_RESOURCES.parallelism,
      maxBatchBytes:
        resources.max_batch_bytes === undefined
          ? DEFAULT_RESOURCES.maxBatchBytes
          : (parseByteSize(resources.max_batch_bytes) as number),
      batchRows: resources.batch_rows ?? DEFAULT_RESOURCES.batchRows,
      checkpointIntervalRows: resources.checkpoint_interval_rows ?? DEFAULT_RESOURCES.checkpointIntervalRows,
      checkpointIntervalBytes:
        resources.checkpoint_interval_bytes === undefined
          ? DEFAULT_RESOURCES.checkpointIntervalBytes
          : (parseByteSize(resources.checkpoint_interval_bytes) as number),
      retry: retryConfig(resources.retry ?? {}, resources.max_retries),
      timeouts: {
        ...(resources.timeouts?.stream !== undefined && {
          streamMs: parseDuration(resources.timeouts.stream) as number,
        }),
        ...(resources.timeouts?.run !== undefined && { runMs: parseDuration(resources.timeouts.run) as number }),
      },
      connectorMemoryBytes:
        resources.connector_memory === undefined
          ? DEFAULT_RESOURCES.connectorMemoryBytes
          : (parseByteSize(resources.connector_memory) as number),
      connectorStepTimeoutMs:
        resources.connector_step_timeout === undefined
          ? DEFAULT_RESOURCES.connectorStepTimeoutMs
          : (parseDuration(resources.connector_step_timeout) as number),
      stallTimeoutMs:
        resources.stall_timeout === undefined
          ? DEFAULT_RESOURCES.stallTimeoutMs
          : (parseDuration(resources.stall_timeout) as number),
    },
    ...buildScheduleConfig(doc),
    ...buildNotificationsConfig(doc),
    ...buildAlertsConfig(doc),
    [SECRET_VALUES]: [...secrets],
  };
}

function retryConfig(retry: Raw, maxRetries: number | undefined): RetryConfig {
  return {
    backoff: retry.backoff ?? DEFAULT_RETRY.backoff,
    initialDelayMs:
      retry.initial_delay === undefined ? DEFAULT_RETRY.initialDelayMs : (parseDuration(retry.initial_delay) as number),
    maxDelayMs: retry.max_delay === undefined ? DEFAULT_RETRY.maxDelayMs : (parseDuration(retry.max_delay) as number),
    jitter: retry.jitter ?? DEFAULT_RETRY.jitter,
    maxRetries: retry.max_retries ?? maxRetries ?? DEFAULT_RETRY.maxRetries,
  };
}

function connector(raw: Raw, dir: string, endpointFields: readonly string[] = []): ConnectorRef {
  const perms: Raw = raw.permissions ?? {};
  const hosts = endpointHosts(raw.config ?? {}, endpointFields);
  const permissions: Permissions = {
    network: {
      allowedHosts: [...(perms.network?.allowed_hosts ?? [])],
      ...(perms.network?.allowed_hosts_only === true && { allowedHostsOnly: true }),
      ...(hosts.length > 0 && { endpointHosts: hosts }),
    },
    fs: { allowedPaths: ((perms.fs?.allowed_paths ?? []) as string[]).map((p) => path.resolve(dir, p)) },
  };
  return { use: raw.use, config: raw.config ?? {}, permissions };
}

/** `destination_table`, else the prefixed source table; pattern streams get theirs when expanded. */
function destinationTableOf(
  s: Raw,
  prefix: TablePrefix | undefined,
): { destinationTable?: string; destinationTableExplicit?: boolean } {
  if (s.destination_table !== undefined)
    return { destinationTable: s.destination_table, destinationTableExplicit: true };
  const prefixed = isStreamPattern(s.name) ? undefined : prefixedTableName(s.name, prefix);
  return prefixed === undefined ? {} : { destinationTable: prefixed };
}

/** `{ schemaEvolution }`, or nothing when it is the default policy (a stream without one gets the defaults). */
function unlessDefault(policy: SchemaEvolution): { schemaEvolution?: SchemaEvolution } {
  return isDefaultSchemaEvolution(policy) ? {} : { schemaEvolution: policy };
}

function keyColumns(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? [...(value as string[])] : undefined;
}

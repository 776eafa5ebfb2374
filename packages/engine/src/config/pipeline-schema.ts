import { BYTE_SIZE_PATTERN } from './parse-byte-size.js';
import { DURATION_PATTERN } from './parse-duration.js';
import { DATA_ERROR_POLICIES } from '@rapidbyte/sdk/contract';
import { ON_NULL_CURSOR, STATE_BACKENDS, SYNC_MODES, WRITE_MODES } from './modes.js';
import { BACKOFFS, JITTERS } from './retry-config.js';
import { DEPENDS_ON_SCHEMA, SCHEDULE_SCHEMA } from './schedule-schema.js';
import { NOTIFICATIONS_SCHEMA } from './notifications-schema.js';
import { ALERTS_SCHEMA } from './alerts-schema.js';
import {
  NEW_COLUMN_POLICIES,
  NULLABILITY_CHANGE_POLICIES,
  REMOVED_COLUMN_POLICIES,
  TYPE_CHANGE_POLICIES,
} from './schema-evolution.js';

/** Pipeline file versions this engine reads. */
export const PIPELINE_VERSIONS = ['1.0'] as const;

const name = { type: 'string', minLength: 1 } as const;
const names = { type: 'array', items: name } as const;
/** `primary_key: id` is read as `[id]`. */
const keyColumns = { type: ['string', 'array'], minLength: 1, minItems: 1, items: name } as const;

/** A positive duration: seconds, or a string like '30s', '500ms', '2m', '2h'. */
const duration = (examples: string) =>
  ({
    type: ['number', 'string'],
    exclusiveMinimum: 0,
    pattern: DURATION_PATTERN,
    description: `a positive number of seconds or a duration like ${examples}`,
  }) as const;

const permissions = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // allowed_hosts adds to the hosts of the connector's endpoint config fields; allowed_hosts_only makes it the only grant
    network: {
      type: 'object',
      additionalProperties: false,
      properties: { allowed_hosts: names, allowed_hosts_only: { type: 'boolean' } },
    },
    fs: { type: 'object', additionalProperties: false, properties: { allowed_paths: names } },
  },
} as const;

const connectorProperties = {
  use: name,
  config: { type: 'object' },
  permissions,
} as const;

/** `schema_evolution` of the destination, or of one stream (overriding the destination's keys). */
const schemaEvolution = {
  type: 'object',
  additionalProperties: false,
  properties: {
    new_column: { enum: NEW_COLUMN_POLICIES },
    removed_column: { enum: REMOVED_COLUMN_POLICIES },
    // `type_change: null` is YAML's null, read as the policy 'null'
    type_change: { enum: [...TYPE_CHANGE_POLICIES, null], description: `one of ${TYPE_CHANGE_POLICIES.join(', ')}` },
    nullability_change: { enum: NULLABILITY_CHANGE_POLICIES },
  },
} as const;

const stream = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'sync_mode'],
  properties: {
    name,
    sync_mode: { enum: SYNC_MODES },
    cursor_field: name,
    on_null_cursor: { enum: ON_NULL_CURSOR },
    lookback: {
      type: 'string',
      pattern: '^\\s*\\d+(\\.\\d+)?\\s*(microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)\\s*$',
      description: 'an interval like "5 minutes" (number and unit: microseconds … weeks)',
    },
    columns: { ...names, minItems: 1 },
    write_mode: { enum: WRITE_MODES },
    primary_key: keyColumns,
    destination_table: name,
    exclude: { ...names, minItems: 1, description: 'a list of stream names or patterns (only with a pattern `name`)' },
    schema_evolution: schemaEvolution,
    shards: {
      type: ['integer', 'string'],
      minimum: 1,
      maximum: 64,
      pattern: '^auto$',
      description: "a positive integer or 'auto'",
    },
  },
} as const;

/** `table_prefix: raw_` for every stream, or one prefix per source schema (`{ public: '', sales: sales_ }`). */
const tablePrefix = {
  type: ['string', 'object'],
  additionalProperties: { type: 'string' },
  description: 'a string, or a map of source schema to prefix',
} as const;

/**
 * JSON Schema of a pipeline file (see docs/architecture.md#configuration), enums read from the same const arrays as the
 * types. A `description` on a property is used as the "must be ..." wording of its errors.
 * Connector `config` objects are validated separately against each connector's own schema.
 */
export const PIPELINE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'pipeline', 'source', 'destination'],
  properties: {
    version: { enum: PIPELINE_VERSIONS },
    pipeline: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', description: 'a name of letters, digits, _ and -' },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['use', 'streams'],
      properties: { ...connectorProperties, streams: { type: 'array', minItems: 1, items: stream } },
    },
    transforms: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['use'], properties: connectorProperties },
    },
    destination: {
      type: 'object',
      additionalProperties: false,
      required: ['use'],
      properties: {
        ...connectorProperties,
        write_mode: { enum: WRITE_MODES },
        primary_key: keyColumns,
        on_data_error: { enum: DATA_ERROR_POLICIES },
        table_prefix: tablePrefix,
        schema_evolution: schemaEvolution,
        dlq: {
          type: 'object',
          additionalProperties: false,
          required: ['table'],
          properties: { table: name },
        },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: { backend: { enum: STATE_BACKENDS }, connection: name },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        parallelism: {
          type: ['integer', 'string'],
          minimum: 1,
          pattern: '^auto$',
          description: "a positive integer or 'auto'",
        },
        max_batch_bytes: {
          type: ['integer', 'string'],
          minimum: 1,
          pattern: BYTE_SIZE_PATTERN,
          description: "a positive number of bytes or a size like '8mb' or '512kb'",
        },
        batch_rows: { type: 'integer', minimum: 1 },
        checkpoint_interval_rows: { type: 'integer', minimum: 1 },
        checkpoint_interval_bytes: {
          type: ['integer', 'string'],
          minimum: 1,
          pattern: BYTE_SIZE_PATTERN,
          description: "a positive number of bytes or a size like '256mb'",
        },
        max_retries: { type: 'integer', minimum: 0 },
        connector_memory: {
          type: ['integer', 'string'],
          minimum: 1,
          pattern: BYTE_SIZE_PATTERN,
          description: "a positive number of bytes or a size like '512mb'",
        },
        connector_step_timeout: {
          type: ['number', 'string'],
          exclusiveMinimum: 0,
          pattern: DURATION_PATTERN,
          description: "a positive number of seconds or a duration like '60s' or '500ms'",
        },
        stall_timeout: {
          type: ['number', 'string'],
          exclusiveMinimum: 0,
          pattern: DURATION_PATTERN,
          description: "a positive number of seconds or a duration like '60s', '30s' or '2m'",
        },
        // a stream (each attempt and backoff included) or the whole run past its limit drains and fails TIMEOUT
        timeouts: {
          type: 'object',
          additionalProperties: false,
          properties: { stream: duration("'30m' or '2h'"), run: duration("'2h' or '90m'") },
        },
        retry: {
          type: 'object',
          additionalProperties: false,
          properties: {
            backoff: { enum: BACKOFFS },
            initial_delay: duration("'500ms' or '2s'"),
            max_delay: duration("'30s' or '5m'"),
            jitter: { enum: JITTERS },
            max_retries: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    // when `rapidbyte serve` starts the pipeline; `rapidbyte run` ignores both
    schedule: SCHEDULE_SCHEMA,
    depends_on: DEPENDS_ON_SCHEMA,
    // webhook targets of the pipeline's lifecycle events
    notifications: NOTIFICATIONS_SCHEMA,
    // thresholds of the alerts `rapidbyte serve` evaluates
    alerts: ALERTS_SCHEMA,
  },
} as const;

/**
 * TypeScript mirror of the WIT package `rapidbyte:connector@0.1.0` (types interface), in the
 * shapes jco/componentize-js use at the boundary: variants are `{ tag, val }`, records are
 * camelCase objects, `u64` is `bigint`, `option<T>` is `T | undefined`.
 */
export type FrameHandle = bigint;

export const ERROR_KINDS = ['transient', 'permanent'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const OPERATIONS = ['check', 'discover', 'read', 'write', 'transform', 'reset'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The SSL modes `config.sslmode` accepts (the same list as the connectors' config-schema.json). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The WIT `connector-error` record. */
export interface WitConnectorError {
  kind: ErrorKind;
  code: string;
  message: string;
  sqlstate?: string;
  streamName?: string;
  column?: string;
}

export interface PgConnectOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslMode: SslMode;
  applicationName: string;
}

/** A column as the host needs it to decode COPY BINARY into Arrow (and back). */
export interface PgColumn {
  name: string;
  /** `format_type(atttypid, atttypmod)`, e.g. `numeric(12,2)`. */
  typeName: string;
  /** OID the host decodes by (for a domain, its base type). */
  typeOid: number;
  /** `pg_type.typcategory` (`E` enum, `A` array, ...). */
  typeCategory: string;
  nullable: boolean;
  enumLabels: string[];
}

export interface PgQueryResult {
  command: string;
  rowCount: bigint;
  columns: string[];
  rows: (string | undefined)[][];
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** The WIT `pg-replication-open` record: one stream's view of the source's logical replication. */
export interface PgReplicationOpen {
  connect: PgConnectOptions;
  slot: string;
  publication: string;
  streamName: string;
  schemaName: string;
  tableName: string;
  columns: PgColumn[];
  relationTypeOids: number[];
  ignoreColumns: string[];
  key: string[];
  coalesce: boolean;
  startLsn?: string;
  batchRows: number;
  schemaMetadata: [string, string][];
  /** How long creating the source's slot may wait for open transactions (ms); none: the host's default. */
  slotCreateTimeoutMs?: number;
}

/** An exported snapshot consistent with an LSN of the replication stream. */
export interface PgSnapshot {
  name: string;
  lsn: string;
}

export type Request =
  | { tag: 'pg-connect'; val: PgConnectOptions }
  | { tag: 'pg-query'; val: { conn: number; sql: string; params: (string | undefined)[] } }
  | {
      tag: 'pg-copy-out';
      val: { conn: number; sql: string; columns: PgColumn[]; batchRows: number; schemaMetadata: [string, string][] };
    }
  | { tag: 'pg-copy-out-next'; val: number }
  | { tag: 'pg-copy-in'; val: { conn: number; sql: string; columns: PgColumn[] } }
  | { tag: 'pg-copy-in-write'; val: { copy: number; frame: FrameHandle } }
  | { tag: 'pg-copy-in-end'; val: number }
  | { tag: 'pg-close'; val: number }
  | { tag: 'pg-replication-open'; val: PgReplicationOpen }
  | { tag: 'pg-replication-snapshot'; val: number }
  | { tag: 'pg-replication-snapshot-done'; val: number }
  | { tag: 'pg-replication-next'; val: number }
  | { tag: 'next-frame' }
  | { tag: 'http'; val: HttpRequest }
  | { tag: 'tcp-connect'; val: [string, number] }
  | { tag: 'tcp-read'; val: [number, number] }
  | { tag: 'tcp-write'; val: [number, Uint8Array] }
  | { tag: 'tcp-close'; val: number }
  | { tag: 'fs-read'; val: { path: string; offset: bigint; length: number } }
  | { tag: 'sleep-ms'; val: number }
  | { tag: 'dead-letters-flush' };

export type Response =
  | { tag: 'none' }
  | { tag: 'failed'; val: WitConnectorError }
  | { tag: 'pg-conn'; val: number }
  | { tag: 'query-result'; val: PgQueryResult }
  | { tag: 'copy-stream'; val: number }
  | { tag: 'frame'; val: FrameHandle }
  | { tag: 'checkpoint'; val: string }
  | { tag: 'end-of-data'; val: bigint }
  | { tag: 'row-count'; val: bigint }
  | { tag: 'http'; val: HttpResponse }
  | { tag: 'socket'; val: number }
  | { tag: 'bytes'; val: Uint8Array }
  | { tag: 'replication'; val: number }
  | { tag: 'snapshot'; val: PgSnapshot };

export type StepResult =
  { tag: 'request'; val: Request } | { tag: 'done'; val: string } | { tag: 'failed'; val: WitConnectorError };

export type ResponseTag = Response['tag'];
export type ResponseOf<T extends ResponseTag> = Extract<Response, { tag: T }>;

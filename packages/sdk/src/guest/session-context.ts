/**
 * What the host tells a connector session about its work (the `context-json` of `open`).
 * Shared by the engine (which writes it) and the guest SDK (which reads it).
 */

/** `on_data_error`: what the destination (or a validating transform) does with a row it rejects. */
export const DATA_ERROR_POLICIES = ['fail', 'skip', 'dlq'] as const;
export type DataErrorPolicy = (typeof DATA_ERROR_POLICIES)[number];

export interface StreamContext {
  /** Source stream name, schema-qualified (`public.users`). */
  readonly name: string;
  readonly syncMode: 'full_refresh' | 'incremental' | 'cdc';
  readonly cursorField?: string;
  readonly columns?: readonly string[];
  readonly writeMode: 'append' | 'replace' | 'upsert';
  readonly primaryKey?: readonly string[];
  /** Destination table name (unqualified), default: the source table name. */
  readonly destinationTable: string;
  /** incremental: re-read this window before the stored cursor (a Postgres interval, `5 minutes`). */
  readonly lookback?: string;
  /**
   * incremental: rows whose cursor is NULL (no stored cursor orders them). `fail` (absent) stops the
   * stream naming their count, `skip` leaves them out with a warning, `include` reads them every run.
   */
  readonly onNullCursor?: 'fail' | 'skip' | 'include';
  /**
   * Destination sessions: what to do when the source schema differs from the destination table
   * (`schema_evolution`, the stream's keys over the destination's). Absent: add / ignore / fail / allow.
   */
  readonly schemaEvolution?: {
    readonly newColumn: 'add' | 'ignore' | 'fail';
    readonly removedColumn: 'ignore' | 'fail';
    readonly typeChange: 'coerce' | 'null' | 'fail';
    readonly nullabilityChange: 'allow' | 'fail';
  };
  /** Destination sessions: `dlq.table`, the destination table dead letters are also written to. */
  readonly dlqTable?: string;
  /**
   * full_refresh split into key-range shards (`shards`): this session reads or writes one shard.
   * Each shard is its own chain with its own checkpoints (`checkpointKey`).
   */
  readonly shard?: StreamShard;
}

/**
 * One key-range shard of a full refresh. Every shard of a pass reads the same exported snapshot,
 * so together they are one point-in-time copy; the ranges `(lower, upper]` never overlap.
 */
export interface StreamShard {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
  /** `pg_export_snapshot()` of the engine's coordinator transaction: `SET TRANSACTION SNAPSHOT` it first. */
  readonly snapshot: string;
  /** The key the ranges split (column names, key order); the source chunks by it too. */
  readonly key: readonly string[];
  /** Exclusive lower bound (Postgres text values, key order); absent: from the first row. */
  readonly lower?: readonly string[];
  /** Inclusive upper bound; absent: to the last row. */
  readonly upper?: readonly string[];
  /**
   * Id of the sharded pass (the engine's stored plan): a resume point of the same pass continues
   * after its `pkAfter`, or — `complete` — means this shard has nothing left to read.
   */
  readonly pass: string;
}

/**
 * The name a stream's checkpoints are kept under (destination watermark, state DB): the stream
 * name, or `public.users[shard 2/4]` for one shard of a sharded full refresh.
 */
export function checkpointKey(stream: Pick<StreamContext, 'name' | 'shard'>): string {
  return stream.shard ? `${stream.name}[shard ${stream.shard.index + 1}/${stream.shard.count}]` : stream.name;
}

/**
 * Where a stream's last committed work ended: the payload of the last checkpoint the destination
 * committed. Sources put it in `checkpoint('resume', …)` markers; destinations store it as their
 * watermark in the same transaction as the data; the engine hands it back to the source.
 */
export interface ResumePoint {
  readonly mode: 'full_refresh' | 'incremental' | 'cdc';
  /** full_refresh: the last pass finished the table; the next one starts from scratch. */
  readonly complete?: boolean;
  /** full_refresh: primary-key tuple (Postgres text values, key order) of the last committed row. */
  readonly pkAfter?: readonly string[];
  readonly cursorField?: string;
  /** `format_type` of the cursor column. */
  readonly cursorType?: string;
  /** incremental: greatest committed cursor value as Postgres text output (exact, UTC, ISO). */
  readonly cursorValue?: string;
  /** incremental + append: key tuples already delivered whose cursor equals `cursorValue`. */
  readonly boundaryKeys?: readonly (readonly string[])[];
  /**
   * incremental + append: key tuples already delivered whose cursor is a value no later row can
   * exceed (`infinity`, numeric `NaN`), which is never stored as `cursorValue`.
   */
  readonly sentinelKeys?: readonly (readonly string[])[];
  readonly primaryKey?: readonly string[];
  /** cdc: last committed LSN. */
  readonly lsn?: string;
  /** Rows committed so far in this pass. */
  readonly rows?: number;
  /** full_refresh of one shard: the sharded pass it belongs to (`StreamShard.pass`). */
  readonly pass?: string;
}

export interface SessionContext {
  readonly pipeline: string;
  readonly runId: number;
  /** Present for read/write/transform sessions. */
  readonly stream?: StreamContext;
  /**
   * `check` of a source: every stream of the pipeline (so it can check what they need, e.g. CDC
   * preflight). `reset`: the streams that were reset.
   */
  readonly streams?: readonly StreamContext[];
  /** `reset`: the whole pipeline (drop what it holds at the source), or only `streams`. */
  readonly resetScope?: 'pipeline' | 'streams';
  readonly resources: {
    readonly batchRows: number;
    readonly maxBatchBytes: number;
    readonly checkpointIntervalRows: number;
    /** Approximate bytes between checkpoints (sources estimate rows from table statistics). */
    readonly checkpointIntervalBytes?: number;
  };
  /** Destination policy. */
  readonly onDataError?: DataErrorPolicy;
  /** Source sessions: where the last committed work of this stream ended (null: from the start). */
  readonly resume?: ResumePoint | null;
  /**
   * Destination sessions: the stream was reset (`rapidbyte state reset`): report no resume point
   * and overwrite the stored watermark at the first commit.
   */
  readonly ignoreWatermark?: boolean;
  /** 1 for the first attempt of a stream in a run, 2+ for retries. */
  readonly attempt?: number;
  /**
   * Destination sessions: load each frame with the rows the destination rejects isolated (the
   * engine sets it on the attempt after one that failed with `ROWS_REJECTED`).
   */
  readonly isolateRows?: boolean;
}

/** Result of a `check` session. */
export interface CheckReport {
  readonly items: readonly { readonly name: string; readonly ok: boolean; readonly message: string }[];
}

/** A column as `discover` reports it. */
export interface CatalogColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

/** Result of a `discover` session. */
export interface Catalog {
  readonly streams: readonly {
    readonly name: string;
    readonly kind: string;
    readonly columns: readonly CatalogColumn[];
    readonly primaryKey: readonly string[];
  }[];
}

/** Result of a read or write session. */
export interface TransferSummary {
  readonly rows: number;
  readonly frames: number;
}

/** Arrow field as the host describes it in `frame-schema`. */
export interface FrameField {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface FrameSchema {
  readonly fields: readonly FrameField[];
  /** Schema-level metadata, e.g. `rapidbyte.primary_key` (JSON list) set by the source. */
  readonly metadata?: Readonly<Record<string, string>>;
}

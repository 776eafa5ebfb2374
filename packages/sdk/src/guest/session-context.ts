/**
 * What the host tells a connector session about its work (the `context-json` of `open`).
 * Shared by the engine (which writes it) and the guest SDK (which reads it).
 */
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
}

export interface SessionContext {
  readonly pipeline: string;
  readonly runId: number;
  /** Present for read/write/transform sessions. */
  readonly stream?: StreamContext;
  readonly resources: {
    readonly batchRows: number;
    readonly maxBatchBytes: number;
    readonly checkpointIntervalRows: number;
  };
  /** Destination policy. */
  readonly onDataError?: 'fail' | 'skip' | 'dlq';
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
}

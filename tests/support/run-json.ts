// The JSON the CLI prints that the e2e tests read: `run --json` (one run summary) and `runs --json`
// (recorded runs with their transitions). Declared here, apart from the engine's own types, so a
// change of the printed shape shows up as a failing test rather than as a silently updated type.

/** The error a stream ended with, as printed in a run summary. */
export interface StreamErrorJson {
  code: string;
  kind: string;
  message: string;
  /** `source:source-postgres`, `destination:dest-postgres`, `host`. */
  stage?: string;
  sqlstate?: string;
  column?: string;
}

/** One stream of `rapidbyte run --json`. */
export interface StreamJson {
  stream: string;
  status: string;
  rowsRead: number;
  rowsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  durationMs: number;
  attempts: number;
  startedAt: string;
  finishedAt: string;
  /** Rows delivered by an attempt that was then rolled back; absent when none. */
  rowsRolledBack?: number;
  rowsSkipped?: number;
  rowsDeadLettered?: number;
  /** Schema changes the destination applied, one line each. */
  schemaChanges?: string[];
  /** incremental: the last committed cursor value. */
  cursor?: string;
  /** cdc: the last LSN the destination committed. */
  lsn?: string;
  /** cdc: WAL bytes the slot retains behind its acknowledged LSN at the end of the run. */
  slotLagBytes?: number;
  /** A sharded full refresh: how many key-range chains loaded the stream. */
  shards?: number;
  /** The stream failed on a transient error after spending resources.retry.max_retries. */
  retriesExhausted?: boolean;
  error?: StreamErrorJson;
}

/** `rapidbyte run --json`: one document for the whole run. */
export interface RunJson {
  runId: number;
  pipeline: string;
  status: string;
  durationMs: number;
  streams: StreamJson[];
  /** `--dry-run`: nothing was written or recorded (runId is 0). */
  dryRun?: boolean;
  /** Streams the run left out, with why (e.g. CDC streams in a dry run). */
  skipped?: { stream: string; reason: string }[];
}

/** One entry of `rapidbyte dlq list --json`: a record the destination or a transform refused. */
export interface DeadLetterJson {
  readonly runId: number;
  readonly stream: string;
  readonly record: Record<string, unknown>;
  readonly error: string;
  readonly category: string;
}

/** One stream of one recorded run in `rapidbyte runs --json`. */
export interface StreamRunJson {
  stream: string;
  status: string;
  attempts: number;
  counts: {
    rowsRead: number;
    rowsWritten: number;
    bytesRead: number;
    bytesWritten: number;
    rowsRolledBack?: number;
    rowsSkipped?: number;
    rowsDeadLettered?: number;
  };
  error?: { code: string; kind: string; message: string };
  /** The stream failed on a transient error after spending resources.retry.max_retries. */
  retriesExhausted?: boolean;
}

/** A stream status change recorded for a run; `from` is null for the first (`pending`). */
export interface TransitionJson {
  stream: string;
  from: string | null;
  to: string;
  at: string;
  reason?: string;
}

/** One entry of `rapidbyte runs --json`: the recorded run and its transitions. */
export interface RunsJson {
  runId: number;
  pipeline: string;
  status: string;
  streams: StreamRunJson[];
  transitions: TransitionJson[];
}

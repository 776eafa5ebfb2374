import type { StreamCounters } from './stream-task.js';

export const STREAM_OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;
export type StreamOutcome = (typeof STREAM_OUTCOMES)[number];

/** The error a stream ended with, as data (never a half-thrown exception). */
export interface StreamFailure {
  readonly kind: 'transient' | 'permanent';
  readonly code: string;
  readonly message: string;
  /** `source:source-postgres`, `destination:dest-postgres`, `host`. */
  readonly stage: string;
  readonly sqlstate?: string;
  readonly column?: string;
  /** What to do about it: the registered hint of `code` (added by the CLI for `run --json`). */
  readonly hint?: string;
}

export interface StreamResult extends StreamCounters {
  readonly stream: string;
  readonly status: StreamOutcome;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly attempts: number;
  readonly error?: StreamFailure;
  /** incremental: the last committed cursor value. */
  readonly cursor?: string;
  /** cdc: the last LSN the destination committed for this stream. */
  readonly lsn?: string;
  /** cdc: bytes of WAL the source's slot retains behind its acknowledged LSN at the end of the run. */
  readonly slotLagBytes?: number;
  /** A sharded full refresh: how many key-range chains loaded the stream (counters are their sum). */
  readonly shards?: number;
  /** The stream failed on a transient error after `resources.retry.max_retries` retries in a row. */
  readonly retriesExhausted?: true;
}

/** What `runPipeline` returns: one entry per stream, whatever happened to the others. */
export interface RunResult {
  readonly runId: number;
  readonly pipeline: string;
  readonly status: 'succeeded' | 'failed' | 'partial' | 'cancelled';
  readonly durationMs: number;
  readonly streams: readonly StreamResult[];
  /** `run --dry-run`: the source was read, nothing was written and nothing recorded (runId is 0). */
  readonly dryRun?: boolean;
  /** Streams the run left out, e.g. CDC streams in a dry run (reading them would create a slot). */
  readonly skipped?: readonly { readonly stream: string; readonly reason: string }[];
}

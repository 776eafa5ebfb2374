import type { StateStore } from '../state/index.js';
import type { StreamFailure, StreamResult } from './run-result.js';
import type { StreamCounters } from './stream-task.js';

/** How a stream (one chain, or all shards of one) ended. */
export interface StreamEnd {
  readonly name: string;
  readonly status: StreamResult['status'];
  readonly counters: StreamCounters;
  readonly error?: StreamFailure;
  readonly startedAt: Date;
  /** `performance.now()` at the start. */
  readonly t0: number;
  readonly attempts: number;
}

/** The stream's result from how it ended. */
export function streamEndResult(end: StreamEnd): StreamResult {
  return {
    stream: end.name,
    status: end.status,
    ...end.counters,
    startedAt: end.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - end.t0,
    attempts: end.attempts,
    error: end.error,
  };
}

/**
 * Records the end of a stream in the run history (counts, final transition, which writes its
 * stream event); returns its result. Schema changes the destination applied are reported first,
 * as one `schema.changed` event.
 */
export async function recordStreamEnd(
  state: StateStore,
  pipeline: string,
  runId: number,
  end: StreamEnd,
): Promise<StreamResult> {
  const { error } = end;
  const changes = end.counters.schemaChanges ?? [];
  if (changes.length > 0)
    await state.appendEvent({ type: 'schema.changed', pipeline, runId, stream: end.name, payload: { changes } });
  await state.recordStreamCounts(
    runId,
    end.name,
    end.counters,
    error ? { code: error.code, kind: error.kind, message: error.message } : undefined,
  );
  await state.transition(runId, end.name, end.status, error ? `${error.code}: ${error.message}` : undefined);
  return streamEndResult(end);
}

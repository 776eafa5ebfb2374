import type { RunRecord, StreamRunRecord } from './state-records.js';

// The payloads of run.* and stream.* events, shared by the SQLite and Postgres run histories.

/** One stream of a run as a run event reports it. */
export function streamSummary(s: StreamRunRecord): Record<string, unknown> {
  return {
    stream: s.stream,
    status: s.status,
    attempts: s.attempts,
    ...(s.startedAt === undefined ? {} : { startedAt: s.startedAt }),
    ...(s.finishedAt === undefined ? {} : { finishedAt: s.finishedAt }),
    ...s.counts,
    ...(s.error === undefined ? {} : { error: s.error }),
  };
}

/** A run event: the run's status, why, its error and every stream's summary at that moment. */
export function runEventPayload(run: RunRecord, reason: string | undefined): Record<string, unknown> {
  return {
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    ...(reason === undefined ? {} : { reason }),
    ...(run.error === undefined ? {} : { error: run.error }),
    streams: run.streams.map(streamSummary),
  };
}

/** A stream event: the stream's summary and the reason of its move. */
export function streamEventPayload(s: StreamRunRecord, reason: string | undefined): Record<string, unknown> {
  const { stream: _stream, ...summary } = streamSummary(s);
  return { ...summary, ...(reason === undefined ? {} : { reason }) };
}

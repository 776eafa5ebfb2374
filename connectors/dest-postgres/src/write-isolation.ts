import {
  ConnectorError,
  flushDeadLetters,
  frames,
  type DataErrorPolicy,
  type FrameHandle,
  type Step,
} from '@rapidbyte/sdk';
import type { IntervalIsolation } from './checkpoint-intervals.js';
import { isDataError } from './data-error.js';
import { ensureDeadLetterTable } from './dead-letter-table.js';
import { isolateRows, type PieceLoad } from './isolate-rows.js';
import { Rejections, rowRejecter } from './row-rejection.js';
import type { WriteResult, WriteSession } from './write-session.js';

/** What a write mode needs to isolate rejected rows: its piece loader and its per-transaction setup. */
export interface IsolationHooks {
  /** Loads one piece (COPY it, merge it) into the open transaction. */
  readonly load: PieceLoad;
  /** Prepares a transaction of isolated loads, after its BEGIN (upsert: a new stage table). */
  start(): Step<void>;
}

/** A write mode's row isolation and what it rejected. */
export interface WriteIsolation {
  readonly isolation: IntervalIsolation;
  readonly rejections: Rejections;
  readonly policy: DataErrorPolicy;
}

/**
 * Sets up row isolation for `append` / `upsert` (creating `dlq.table` under policy `dlq`). A data
 * error of a plain load ends the attempt with the transient `ROWS_REJECTED`; on the engine's next
 * attempt (`context.isolateRows`) every frame is loaded with `isolateRows`, each rejected row going
 * to the `on_data_error` policy.
 */
export function* writeIsolation(
  session: WriteSession,
  key: readonly string[],
  hooks: IsolationHooks,
): Step<WriteIsolation> {
  const { conn, stream } = session;
  const policy = session.onDataError ?? 'fail';
  const dlqTable = policy === 'dlq' ? stream.dlqTable : undefined;
  if (dlqTable !== undefined) yield* ensureDeadLetterTable(conn, session.settings.schema, dlqTable);
  const rejections = new Rejections();
  const reject = rowRejecter(
    {
      conn,
      runId: session.runId ?? 0,
      stream: stream.name,
      schema: session.settings.schema,
      table: stream.destinationTable,
      policy,
      key,
      ...(dlqTable !== undefined && { dlqTable }),
    },
    rejections,
  );
  let flushed = 0;
  const isolation: IntervalIsolation = {
    fromStart: session.isolateRows === true,
    rejects: isDataError,
    retry: (error) =>
      ConnectorError.transient(
        'ROWS_REJECTED',
        `${stream.name}: the destination rejected a row (${(error as Error).message}); nothing of this checkpoint interval was committed`,
        {
          stream: stream.name,
          ...((error as { sqlstate?: string }).sqlstate !== undefined && {
            sqlstate: (error as { sqlstate?: string }).sqlstate,
          }),
        },
      ),
    start: () => hooks.start(),
    *load(frame: FrameHandle) {
      return (yield* isolateRows(conn, frame, hooks.load, reject)).rows;
    },
    release: (frame) => frames.release(frame),
    *beforeCommit() {
      // the state DB holds this interval's dead letters before the COMMIT that covers their rows
      if (rejections.deadLettered === flushed) return;
      yield* flushDeadLetters();
      flushed = rejections.deadLettered;
    },
  };
  return { isolation, rejections, policy };
}

/** The result's `policy` / `rejected` fields, when rows were rejected. */
export function rejectionSummary(w: WriteIsolation | undefined): Pick<WriteResult, 'policy' | 'rejected'> {
  return w && w.rejections.total > 0 ? { policy: w.policy, rejected: w.rejections.total } : {};
}

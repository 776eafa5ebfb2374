import {
  checkpoint,
  checkpointKey,
  closeQuietly,
  ConnectorError,
  openConnection,
  type OperationInput,
  type Step,
} from '@rapidbyte/sdk';
import { postgresIdentifier, quoteQualified, withStreamContext } from '@rapidbyte/sdk/postgres';
import { isDataError } from './data-error.js';
import { destSettings, type DestConfig } from './dest-config.js';
import { readFirstFrame } from './frame-input.js';
import { ensureSchema } from './target-table.js';
import { ensureWatermarkTable, fencedInstead, takeEpoch, type Fence } from './watermark-store.js';
import { destinationResumePoint } from './resume-point.js';
import { writeAppend } from './write-append.js';
import { readFirstCdcFrame, requireCdcWriteMode, writeCdc } from './write-cdc.js';
import { writeReplace } from './write-replace.js';
import type { WriteResult, WriteSession } from './write-session.js';
import { writeUpsert } from './write-upsert.js';
import { upsertLoadsAsAppend } from './upsert-first-load.js';

/** The write modes dest-postgres loads with. */
export const SUPPORTED_WRITE_MODES = ['append', 'replace', 'upsert'] as const;
export type SupportedWriteMode = (typeof SUPPORTED_WRITE_MODES)[number];

const WRITERS: Readonly<Record<SupportedWriteMode, (session: WriteSession) => Step<WriteResult>>> = {
  append: writeAppend,
  replace: writeReplace,
  upsert: writeUpsert,
};

/**
 * `write`: connects, makes sure the schema and the watermark table exist, reports where the
 * stream resumes (`checkpoint('resume', payload | null)`, before the first frame is asked for:
 * the engine starts the source only then; null for `replace`, which always starts over, and
 * after a `state reset` — `context.ignoreWatermark`), and loads the stream with its write mode
 * (a `cdc` stream: `writeCdc`, with `upsert` or `append` only).
 */
export function* writeStream({ config, context }: OperationInput<DestConfig>): Step<WriteResult> {
  if (!context.stream) throw ConnectorError.permanent('NO_STREAM', 'write needs a stream in the session context');
  // the name Postgres stores (63 bytes): a longer one is cut by the server while logs named the long one
  const stream = { ...context.stream, destinationTable: postgresIdentifier(context.stream.destinationTable) };
  if (!(SUPPORTED_WRITE_MODES as readonly string[]).includes(stream.writeMode)) {
    throw ConnectorError.permanent(
      'UNSUPPORTED_WRITE_MODE',
      `${stream.name}: write_mode ${stream.writeMode} is not supported by dest-postgres; use one of ${SUPPORTED_WRITE_MODES.join(', ')}`,
      { stream: stream.name },
    );
  }
  const cdc = stream.syncMode === 'cdc';
  if (cdc) requireCdcWriteMode(stream);
  const settings = destSettings(config);
  const target = quoteQualified(settings.schema, stream.destinationTable);
  let conn: number | undefined;
  let fence: Fence | undefined;
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline}`);
    yield* ensureSchema(conn, settings.schema);
    yield* ensureWatermarkTable(conn, settings.schema);
    // before the resume point is read: an older session still running (a zombie) committed before
    // this, and its rows are covered, or every later commit of it is refused (FENCED)
    fence = yield* takeEpoch(conn, {
      schema: settings.schema,
      pipeline: context.pipeline,
      stream: checkpointKey(stream),
    });
    // replace starts over; after `state reset` the stored watermark is ignored until the next commit
    // overwrites it; a missing (or, incremental, emptied) target table starts over too
    const resume = yield* destinationResumePoint(
      conn,
      fence,
      stream.destinationTable,
      stream,
      context.ignoreWatermark === true,
    );
    checkpoint('resume', resume);
    const input = cdc ? yield* readFirstCdcFrame(conn, settings, fence, stream) : yield* readFirstFrame();
    const session = {
      conn,
      settings,
      pipeline: context.pipeline,
      stream,
      input,
      epoch: fence.epoch,
      runId: context.runId,
      onDataError: context.onDataError ?? 'fail',
      isolateRows: context.isolateRows === true,
    } as const;
    // an upsert into an empty table from a source keyed the same way has nothing to merge
    const writer = cdc
      ? writeCdc
      : stream.writeMode === 'upsert' && (yield* upsertLoadsAsAppend(session))
        ? writeAppend
        : WRITERS[stream.writeMode];
    const result = yield* writer(session);
    // the data is committed: a failure to close changes nothing
    yield* closeQuietly(conn);
    conn = undefined;
    return result;
  } catch (caught) {
    // a session another one took over reports that, whatever failed first (see fencedInstead) — when
    // the server ended the statement with an error (a SQLSTATE): in any other failure (the source
    // failed, a cancel, a lost connection) a COPY may still be open on the connection, and a query
    // sent behind it would wait for ever; the connection is then just closed
    const serverEnded = caught instanceof ConnectorError && caught.sqlstate !== undefined;
    const error = (conn !== undefined && fence && serverEnded && (yield* fencedInstead(conn, fence, caught))) || caught;
    yield* closeQuietly(conn);
    // replace and CDC load whole batches: say why on_data_error did not isolate the row
    const whole =
      (cdc || stream.writeMode === 'replace') && isDataError(error)
        ? ' (rows are not isolated in this mode: on_data_error applies to append and upsert)'
        : '';
    throw withStreamContext(error, stream.name, `${cdc ? 'cdc ' : ''}${stream.writeMode} into ${target}${whole}`);
  }
}

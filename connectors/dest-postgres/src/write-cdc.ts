import { ConnectorError, pg, type Step, type StreamContext, type TransferSummary } from '@rapidbyte/sdk';
import { truncateTargetSql } from './cdc-apply-sql.js';
import { CDC_WRITE_MODES, isCdcWriteMode, isSnapshotMarker } from './cdc-frame.js';
import type { DestSettings } from './dest-config.js';
import { readFirstFrame, type FrameInput } from './frame-input.js';
import { tableOid } from './target-table.js';
import { requirePayload, watermarkCommits, type Fence } from './watermark-store.js';
import { writeCdcAppend } from './write-cdc-append.js';
import { writeCdcUpsert } from './write-cdc-upsert.js';
import type { WriteSession } from './write-session.js';

/** A `cdc` stream's write mode must be one of CDC_WRITE_MODES: a permanent error names the allowed pairs. */
export function requireCdcWriteMode(stream: StreamContext): void {
  if (isCdcWriteMode(stream.writeMode)) return;
  throw ConnectorError.permanent(
    'UNSUPPORTED_MODE_PAIR',
    `${stream.name}: sync_mode cdc cannot be loaded with write_mode ${stream.writeMode}; ` +
      `use one of ${CDC_WRITE_MODES.map((m) => `cdc × ${m}`).join(', ')}`,
    { stream: stream.name },
  );
}

/** Loads a `cdc` stream: `upsert` applies the changes, `append` keeps a change log. */
export function* writeCdc(session: WriteSession): Step<TransferSummary> {
  requireCdcWriteMode(session.stream);
  return session.stream.writeMode === 'upsert' ? yield* writeCdcUpsert(session) : yield* writeCdcAppend(session);
}

/**
 * The first frame of a `cdc` stream. Each marker before it commits at once (its own transaction
 * with the watermark, reported committed), so an idle stream's LSN advances — and the source's
 * slot with it — before any change arrives. A snapshot marker without frames (an empty table)
 * empties an existing upsert target in that transaction. Those commits are fenced by the
 * session's epoch (`fence`) like every other.
 */
export function* readFirstCdcFrame(
  conn: number,
  settings: DestSettings,
  fence: Fence,
  stream: StreamContext,
): Step<FrameInput> {
  const marks = watermarkCommits(conn, fence);
  return yield* readFirstFrame(function* (payload) {
    yield* pg.query(conn, 'BEGIN');
    if (
      stream.writeMode === 'upsert' &&
      isSnapshotMarker(requirePayload(payload, stream.name).value) &&
      (yield* tableOid(conn, settings.schema, stream.destinationTable))
    ) {
      yield* pg.query(conn, truncateTargetSql(settings.schema, stream.destinationTable, settings.cdc, { hard: true }));
    }
    yield* marks.commit(payload);
    marks.committed(payload);
  });
}

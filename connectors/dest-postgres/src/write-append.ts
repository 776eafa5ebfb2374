import { effectiveKey } from './frame-input.js';
import { frames, log, nextFrame, pg, type PgColumn, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { copyInStatement } from './target-catalog.js';
import { ensureTargetTable, targetCopyColumns } from './target-table.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteSession } from './write-session.js';

/**
 * `append`: creates the target if it is missing (exact source types, NOT NULL, primary key), then
 * one transaction per checkpoint interval: COPY the frames, and at the marker end the COPY, write
 * the watermark, COMMIT and report the marker committed.
 */
export function* writeAppend(session: WriteSession): Step<TransferSummary> {
  const { conn, stream, input } = session;
  const { schema } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let columns: PgColumn[] = [];
  if (input.fields) {
    const oid = yield* ensureTargetTable(conn, stream.name, schema, table, input.fields, effectiveKey(stream.primaryKey, input));
    columns = yield* targetCopyColumns(conn, stream.name, qualified, oid, input.fields);
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  let copy = 0;
  const load = yield* loadByCheckpoint(
    {
      next: nextFrame,
      *begin() {
        yield* pg.query(conn, 'BEGIN');
      },
      *open() {
        copy = yield* pg.copyIn(conn, copyInStatement(schema, table, columns), columns);
      },
      *write(frame) {
        if (frames.rows(frame) > 0) yield* pg.copyInWrite(copy, frame);
        frames.release(frame);
      },
      *close() {
        return Number(yield* pg.copyInEnd(copy));
      },
      ...watermarkCommits(conn, watermarkKey(session)),
    },
    input.checkpoints,
    input.first,
  );
  log.info(`${stream.name}: appended ${load.rows} rows in ${load.frames} frames to ${qualified} (${load.commits} commits)`);
  return { rows: load.rows, frames: load.frames };
}

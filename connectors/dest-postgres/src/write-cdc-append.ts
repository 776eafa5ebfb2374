import { ConnectorError, frames, log, nextFrame, pg, type PgColumn, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { CDC_LSN_COLUMN, CDC_OP_COLUMN } from './cdc-frame.js';
import { ensureCdcColumns } from './cdc-target.js';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { copyInStatement } from './target-catalog.js';
import { ensureTargetTable, targetCopyColumns } from './target-table.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteSession } from './write-session.js';

/**
 * `cdc × append`: a change log. The target is the stream's columns plus `_rb_op`, `_rb_lsn`,
 * `_rb_unchanged` (and `_rb_synced_at`), all nullable, no key, created from the first frame.
 * Every frame, snapshot or changes, is COPYed straight in; each marker commits with its
 * watermark. Frames after the last marker (an incomplete source transaction) are rolled back.
 */
export function* writeCdcAppend(session: WriteSession): Step<TransferSummary> {
  const { conn, stream, input } = session;
  const { schema, cdc } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let columns: PgColumn[] = [];
  if (input.fields) {
    const names = input.fields.map((f) => f.name);
    const lacking = [CDC_OP_COLUMN, CDC_LSN_COLUMN].filter((c) => !names.includes(c));
    if (lacking.length > 0) {
      throw ConnectorError.permanent('CDC_COLUMNS_MISSING', `${stream.name}: CDC frames for append lack ${lacking.join(', ')}`, { stream: stream.name, column: lacking[0] });
    }
    // deletes carry only the key: nothing but the log's own columns may be NOT NULL
    const fields = input.fields.map((f) => ({ ...f, nullable: true }));
    const oid = yield* ensureTargetTable(conn, stream.name, schema, table, fields, undefined);
    yield* ensureCdcColumns(conn, schema, table, oid, cdc, 'append');
    columns = yield* targetCopyColumns(conn, stream.name, qualified, oid, input.fields);
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  const marks = watermarkCommits(conn, watermarkKey(session));
  let copy = 0;
  let rows = 0;
  let discarded = 0;
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
        rows = Number(yield* pg.copyInEnd(copy));
        return rows;
      },
      *commit(payload) {
        if (payload !== undefined) {
          yield* marks.commit(payload);
          rows = 0;
          return;
        }
        yield* pg.query(conn, 'ROLLBACK');
        discarded += rows;
        if (rows > 0) log.warn(`${stream.name}: ${rows} change rows after the last checkpoint marker rolled back; the next run reads them again`);
      },
      committed: marks.committed,
    },
    input.checkpoints,
    input.first,
  );
  log.info(`${stream.name}: logged ${load.rows - discarded} CDC rows in ${load.frames} frames to ${qualified} (${load.commits} commits)`);
  return { rows: load.rows - discarded, frames: load.frames };
}

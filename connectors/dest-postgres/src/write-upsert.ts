import { frames, log, nextFrame, pg, type PgColumn, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { mergeStatement, stageTableDdl, stageTableName } from './merge-sql.js';
import { copyInStatement } from './target-catalog.js';
import { ensureTargetTable, tableOid, targetCopyColumns } from './target-table.js';
import { resolveUpsertKey } from './upsert-key.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteSession } from './write-session.js';

/**
 * `upsert`: one transaction per checkpoint interval. Its frames are COPYed into a temp stage table
 * (`_rb_stage_<n>`, dropped on commit, rows numbered by `_rb_seq`); at the marker the stage is
 * merged into the target (last row per key wins, `INSERT ... ON CONFLICT (key) DO UPDATE`), the
 * watermark is written, the transaction COMMITs and the marker is reported committed. Replaying
 * a batch leaves the target as it was.
 */
export function* writeUpsert(session: WriteSession): Step<TransferSummary> {
  const { conn, stream, input } = session;
  const { schema } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let columns: PgColumn[] = [];
  let key: string[] = [];
  if (input.fields) {
    key = yield* resolveUpsertKey(conn, stream, schema, yield* tableOid(conn, schema, table), input.fields, input.sourceKey);
    const oid = yield* ensureTargetTable(conn, stream.name, schema, table, input.fields, key);
    columns = yield* targetCopyColumns(conn, stream.name, qualified, oid, input.fields);
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  const names = columns.map((c) => c.name);
  let transactions = 0;
  let stage = '';
  let copy = 0;
  let merged = 0;
  const load = yield* loadByCheckpoint(
    {
      next: nextFrame,
      *begin() {
        yield* pg.query(conn, 'BEGIN');
      },
      *open() {
        transactions += 1;
        stage = stageTableName(transactions);
        yield* pg.query(conn, stageTableDdl(schema, table, stage));
        copy = yield* pg.copyIn(conn, copyInStatement('pg_temp', stage, columns), columns);
      },
      *write(frame) {
        if (frames.rows(frame) > 0) yield* pg.copyInWrite(copy, frame);
        frames.release(frame);
      },
      *close() {
        const rows = Number(yield* pg.copyInEnd(copy));
        merged += Number((yield* pg.query(conn, mergeStatement(schema, table, stage, names, key))).rowCount);
        return rows;
      },
      ...watermarkCommits(conn, watermarkKey(session)),
    },
    input.checkpoints,
    input.first,
  );
  log.info(
    `${stream.name}: upserted ${load.rows} rows in ${load.frames} frames into ${qualified} on (${key.join(', ')}): ` +
      `${merged} inserted or updated, ${load.commits} commits`,
  );
  return { rows: load.rows, frames: load.frames };
}

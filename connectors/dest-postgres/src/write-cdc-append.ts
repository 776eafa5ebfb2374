import { ConnectorError, frames, log, nextFrame, pg, type FrameSchema, type PgColumn, type Step } from '@rapidbyte/sdk';
import { CDC_LSN_COLUMN, CDC_OP_COLUMN } from '@rapidbyte/sdk/frames';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { changeColumns } from './cdc-frame.js';
import { CdcSchemaFollower, cdcSourceFields } from './cdc-evolution.js';
import { columnHistoryOf } from './column-history.js';
import { evolveTable, type EvolvedColumns } from './apply-evolution.js';
import { evolutionPolicy } from './evolution-policy.js';
import { SchemaChangeLog } from './schema-change-log.js';
import { ensureCdcColumns, refuseReservedColumns } from './cdc-target.js';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { copyInTo } from './copy-in-to.js';
import { ensureTargetTable, targetCopyColumns } from './target-table.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteResult, type WriteSession } from './write-session.js';

/**
 * `cdc × append`: a change log. The target is the stream's columns plus `_rb_op`, `_rb_lsn`,
 * `_rb_unchanged` (and `_rb_synced_at`), all nullable, no key, created from the first frame.
 * Every frame, snapshot or changes, is COPYed straight in; each marker commits with its
 * watermark. Frames after the last marker (an incomplete source transaction) are rolled back.
 */
export function* writeCdcAppend(session: WriteSession): Step<WriteResult> {
  const { conn, stream, input } = session;
  const { schema, cdc } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let columns: PgColumn[] = [];
  let follower: CdcSchemaFollower | undefined;
  let oid = '';
  const changeLog = new SchemaChangeLog();
  const firstSchema = input.first !== undefined ? frames.schema(input.first) : undefined;
  // the log's own columns: the first frame's change columns (named _rb_op, _rb_lsn, _rb_unchanged: source columns of those names are refused)
  const change = new Set(Object.values(firstSchema ? changeColumns(firstSchema, 'append') : {}));
  const metaFields = (input.fields ?? []).filter((f) => change.has(f.name));
  /** The COPY columns: the evolved source columns, then the log's own columns. */
  function* copyColumnsOf(evolved: EvolvedColumns): Step<PgColumn[]> {
    return [...evolved.columns, ...(yield* targetCopyColumns(conn, stream.name, qualified, oid, metaFields))];
  }
  if (input.fields && firstSchema) {
    refuseReservedColumns(stream.name, firstSchema, 'append', cdc);
    const lacking = [CDC_OP_COLUMN, CDC_LSN_COLUMN].filter((c) => !change.has(c));
    if (lacking.length > 0) {
      throw ConnectorError.permanent(
        'CDC_COLUMNS_MISSING',
        `${stream.name}: CDC frames for append lack ${lacking.join(', ')}`,
        { stream: stream.name, column: lacking[0] },
      );
    }
    // deletes carry only the key: nothing but the log's own columns may be NOT NULL
    const fields = input.fields.map((f) => ({ ...f, nullable: true }));
    oid = yield* ensureTargetTable(
      conn,
      stream.name,
      schema,
      table,
      fields,
      undefined,
      input.generated,
      input.domains,
      input.composites,
    );
    yield* ensureCdcColumns(conn, schema, table, oid, cdc, 'append');
    // schema evolution at stream start, then whenever a frame's source columns change
    const evolution = {
      conn,
      stream: stream.name,
      schema,
      table,
      oid,
      shown: qualified,
      policy: evolutionPolicy(stream),
      changes: changeLog,
      cdc: true,
    };
    // the log's columns are all nullable by design: nullability is never a change here
    const firstFields = cdcSourceFields(firstSchema, 'append').map((f) => ({ ...f, nullable: false }));
    columns = yield* copyColumnsOf(yield* evolveTable(evolution, firstFields, 0, columnHistoryOf(firstSchema)));
    follower = new CdcSchemaFollower(evolution, firstFields, 'append');
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  const marks = watermarkCommits(conn, watermarkKey(session));
  let copy = 0;
  let rows = 0;
  let logged = 0;
  let discarded = 0;
  const load = yield* loadByCheckpoint(
    {
      next: nextFrame,
      *begin() {
        yield* pg.query(conn, 'BEGIN');
      },
      *open() {
        copy = yield* copyInTo(conn, schema, table, columns);
      },
      *write(frame) {
        const shape = nonNullable(frames.schema(frame));
        if (follower?.differs(shape)) {
          // the source table changed shape: the COPY so far ends, the log evolves, a COPY of the new shape goes on
          rows += Number(yield* pg.copyInEnd(copy));
          const evolved = yield* follower.follow(shape, logged);
          if (evolved) columns = yield* copyColumnsOf(evolved);
          copy = yield* copyInTo(conn, schema, table, columns);
        }
        const n = frames.rows(frame);
        if (n > 0) yield* pg.copyInWrite(copy, frame);
        logged += n;
        frames.release(frame);
      },
      *close() {
        rows += Number(yield* pg.copyInEnd(copy));
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
        if (rows > 0)
          log.warn(
            `${stream.name}: ${rows} change rows after the last checkpoint marker rolled back; the next run reads them again`,
          );
      },
      committed: marks.committed,
    },
    input.checkpoints,
    input.first,
  );
  log.info(
    `${stream.name}: logged ${load.rows - discarded} CDC rows in ${load.frames} frames to ${qualified} (${load.commits} commits)`,
  );
  return {
    rows: load.rows - discarded,
    frames: load.frames,
    ...(changeLog.size > 0 && { schemaChanges: changeLog.list(load.rows - discarded) }),
  };
}

/** A frame schema with every field NOT NULL: a change log never compares nullability. */
function nonNullable(schema: FrameSchema): FrameSchema {
  return { ...schema, fields: schema.fields.map((f) => ({ ...f, nullable: false })) };
}

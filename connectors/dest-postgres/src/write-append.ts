import { effectiveKey } from './frame-input.js';
import { frames, log, nextFrame, pg, type FrameField, type PgColumn, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { evolveTable, type EvolutionTarget } from './apply-evolution.js';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { evolutionPolicy } from './evolution-policy.js';
import { sameFields } from './plan-evolution.js';
import { SchemaChangeLog } from './schema-change-log.js';
import { copyInTo } from './copy-in-to.js';
import { copyPiece } from './copy-piece.js';
import { rejectionSummary, writeIsolation, type WriteIsolation } from './write-isolation.js';
import { buildPendingKey, deferNewTableKey, defersNewTableKey } from './pending-indexes.js';
import { ensureTargetTable, tableOid } from './target-table.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteResult, type WriteSession } from './write-session.js';

/**
 * `append`: creates the target if it is missing (exact source types, NOT NULL, primary key), else
 * evolves it to the first frame's schema (`schema_evolution`, outside any transaction), then one
 * transaction per checkpoint interval: COPY the frames, and at the marker end the COPY, write the
 * watermark, COMMIT and report the marker committed. A frame whose schema differs from the one
 * before ends the COPY, evolves the target inside the open transaction and starts a new COPY.
 * A row the target rejects (a data error) rolls the interval back and re-loads it with the bad
 * rows isolated (`writeIsolation`, `on_data_error`). A table the run creates is loaded without its
 * primary key, which is built once after the last commit (`defer_indexes`, pending-indexes.ts).
 */
export function* writeAppend(session: WriteSession): Step<WriteResult> {
  const { conn, stream, input } = session;
  const { schema } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  const changes = new SchemaChangeLog();
  let columns: PgColumn[] = [];
  let target: EvolutionTarget | undefined;
  let fields: readonly FrameField[] = input.fields ?? [];
  if (input.fields) {
    const created = defersNewTableKey(session) && (yield* tableOid(conn, schema, table)) === undefined;
    const oid = yield* ensureTargetTable(
      conn,
      stream.name,
      schema,
      table,
      input.fields,
      effectiveKey(stream.primaryKey, input),
      input.generated,
      input.domains,
      input.composites,
    );
    if (created) yield* deferNewTableKey(conn, stream.name, schema, table, oid);
    target = {
      conn,
      stream: stream.name,
      schema,
      table,
      oid,
      shown: qualified,
      policy: evolutionPolicy(stream),
      changes,
    };
    columns = (yield* evolveTable(target, input.fields, 0)).columns;
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  let copy: number | undefined;
  let seen = 0;
  let copied = 0;
  let isolated: WriteIsolation | undefined;
  if (input.fields) {
    isolated = yield* writeIsolation(session, effectiveKey(stream.primaryKey, input) ?? [], {
      load: (piece) => copyPiece(conn, schema, table, columns, piece),
      *start() {},
    });
  }
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
        const now = frames.schema(frame).fields;
        if (target && !sameFields(now, fields)) {
          copied += Number(yield* pg.copyInEnd(copy as number));
          columns = (yield* evolveTable(target, now, seen)).columns;
          fields = now;
          copy = yield* copyInTo(conn, schema, table, columns);
        }
        const rows = frames.rows(frame);
        if (rows > 0) yield* pg.copyInWrite(copy as number, frame);
        seen += rows;
        frames.release(frame);
      },
      *close() {
        const rows = copied + Number(yield* pg.copyInEnd(copy as number));
        copy = undefined;
        copied = 0;
        return rows;
      },
      ...watermarkCommits(conn, watermarkKey(session)),
      ...(isolated && { isolation: isolated.isolation }),
    },
    input.checkpoints,
    input.first,
  );
  yield* buildPendingKey(conn, stream.name, schema, table, target?.oid ?? (yield* tableOid(conn, schema, table)));
  log.info(
    `${stream.name}: appended ${load.rows} rows in ${load.frames} frames to ${qualified} (${load.commits} commits)`,
  );
  return {
    rows: load.rows,
    frames: load.frames,
    ...(changes.size > 0 && { schemaChanges: changes.list(load.rows) }),
    ...rejectionSummary(isolated),
  };
}

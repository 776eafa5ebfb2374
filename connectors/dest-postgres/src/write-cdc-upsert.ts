import {
  ConnectorError,
  frames,
  log,
  nextFrame,
  pg,
  type FrameHandle,
  type FrameSchema,
  type PgColumn,
  type Step,
} from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { applyChangeFrame, type ChangeTarget } from './cdc-apply.js';
import { truncateTargetSql } from './cdc-apply-sql.js';
import { cdcPhase, changeColumns, isSnapshotMarker, streamFields } from './cdc-frame.js';
import { createCdcStage, ensureCdcColumns, refuseReservedColumns } from './cdc-target.js';
import { CdcSchemaFollower, cdcSourceFields } from './cdc-evolution.js';
import { columnHistoryOf } from './column-history.js';
import { CDC_STAGE, defaultStageChangeColumns, type StageChangeColumns } from './cdc-stage-sql.js';
import { evolveTable } from './apply-evolution.js';
import { evolutionPolicy } from './evolution-policy.js';
import { SchemaChangeLog } from './schema-change-log.js';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { copyInTo } from './copy-in-to.js';
import { ensureTargetTable, tableOid } from './target-table.js';
import { resolveUpsertKey } from './upsert-key.js';
import { requirePayload, watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteResult, type WriteSession } from './write-session.js';

/**
 * `cdc × upsert`: applies a CDC stream to a table keyed like the source. One transaction per
 * checkpoint marker. Snapshot frames are COPYed straight into the target after a `TRUNCATE`
 * (a re-snapshot replaces the content atomically; a target created by this session is not
 * truncated); change frames are applied one by one through the stage (`applyChangeFrame`).
 * A marker commits with its watermark even when no frames came before it. Frames after the last
 * marker (an incomplete source transaction) are rolled back: the next run reads them again.
 */
export function* writeCdcUpsert(session: WriteSession): Step<WriteResult> {
  const { conn, stream, input } = session;
  const { schema, cdc } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  let existed = false;
  let columns: PgColumn[] = [];
  let changes: ChangeTarget | undefined;
  let follower: CdcSchemaFollower | undefined;
  const changeLog = new SchemaChangeLog();
  if (input.first !== undefined) {
    const firstSchema = frames.schema(input.first);
    refuseReservedColumns(stream.name, firstSchema, 'upsert', cdc);
    const fields = streamFields(firstSchema, 'upsert');
    const before = yield* tableOid(conn, schema, table);
    existed = before !== undefined;
    const key = yield* resolveUpsertKey(conn, stream, schema, before, fields, input.sourceKey);
    const oid = yield* ensureTargetTable(
      conn,
      stream.name,
      schema,
      table,
      fields,
      key,
      input.generated,
      input.domains,
      input.composites,
    );
    yield* ensureCdcColumns(conn, schema, table, oid, cdc, 'upsert');
    // schema evolution at stream start: the first frame against the table (a snapshot's with the catalog's nullability)
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
      fillExisting: true,
    };
    const firstFields = cdcSourceFields(firstSchema, 'upsert');
    // a snapshot replaces every row: nothing already there needs a fill
    const history = columnHistoryOf(firstSchema);
    const evolvedFirst = yield* evolveTable(
      evolution,
      firstFields,
      0,
      cdcPhase(firstSchema) === 'snapshot' ? { ...history, fill: new Map() } : history,
    );
    columns = evolvedFirst.columns;
    follower = new CdcSchemaFollower(evolution, firstFields, 'upsert');
    const names = columns.map((c) => c.name);
    const change = stageChangeColumns(stream.name, firstSchema, defaultStageChangeColumns(fields.map((f) => f.name)));
    const stageColumns = yield* createCdcStage(conn, stream.name, schema, table, names, change);
    changes = {
      conn,
      stream: stream.name,
      schema,
      table,
      columns: names,
      key,
      stageColumns,
      change,
      settings: cdc,
      identityAlways: evolvedFirst.identityAlways,
    };
  } else {
    existed = (yield* tableOid(conn, schema, table)) !== undefined;
    log.info(`${stream.name}: no frames; ${qualified} gets only watermarks`);
  }

  const marks = watermarkCommits(conn, watermarkKey(session));
  // per transaction
  let snapshotCopy: number | undefined;
  let truncated = false;
  let applied = false;
  let rows = 0;
  // per session
  let discarded = 0;
  let snapshotRows = 0;
  let upserted = 0;
  let deleted = 0;
  let truncates = 0;

  function* truncateForSnapshot(): Step<void> {
    if (!truncated && existed) yield* pg.query(conn, truncateTargetSql(schema, table, cdc, { hard: true }));
    truncated = true;
  }
  function* endSnapshotCopy(): Step<void> {
    if (snapshotCopy !== undefined) yield* pg.copyInEnd(snapshotCopy);
    snapshotCopy = undefined;
  }
  function* write(frame: FrameHandle): Step<void> {
    const count = frames.rows(frame);
    if (cdcPhase(frames.schema(frame)) === 'snapshot') {
      yield* truncateForSnapshot();
      snapshotCopy ??= yield* copyInTo(conn, schema, table, columns);
      if (count > 0) yield* pg.copyInWrite(snapshotCopy, frame);
      frames.release(frame);
      rows += count;
      snapshotRows += count;
      return;
    }
    yield* endSnapshotCopy();
    if (count === 0 || !changes) {
      frames.release(frame);
      return;
    }
    // the source table changed shape (a Relation message): evolve the target, then a stage of the new shape
    const shape = frames.schema(frame);
    const evolved = follower ? yield* follower.follow(shape, snapshotRows + upserted + deleted) : undefined;
    const change = stageChangeColumns(stream.name, shape, changes.change);
    let freshStage = false;
    if (evolved || change.op !== changes.change.op || change.unchanged !== changes.change.unchanged) {
      if (evolved) columns = evolved.columns;
      const names = columns.map((c) => c.name);
      yield* pg.query(conn, `DROP TABLE IF EXISTS ${CDC_STAGE}`);
      changes = {
        ...changes,
        columns: names,
        change,
        identityAlways: evolved ? evolved.identityAlways : changes.identityAlways,
        stageColumns: yield* createCdcStage(conn, stream.name, schema, table, names, change),
      };
      freshStage = true;
    }
    const result = yield* applyChangeFrame(changes, frame, applied && !freshStage);
    applied = true;
    rows += result.rows;
    upserted += result.upserted;
    deleted += result.deleted;
    if (result.truncated) truncates += 1;
  }

  const load = yield* loadByCheckpoint(
    {
      next: nextFrame,
      *begin() {
        yield* pg.query(conn, 'BEGIN');
        snapshotCopy = undefined;
        truncated = false;
        applied = false;
        rows = 0;
      },
      *open() {},
      write,
      *close() {
        yield* endSnapshotCopy();
        return rows;
      },
      *commit(payload) {
        if (payload === undefined) {
          yield* pg.query(conn, 'ROLLBACK');
          discarded += rows;
          if (rows > 0)
            log.warn(
              `${stream.name}: ${rows} change rows after the last checkpoint marker rolled back; the next run reads them again`,
            );
          return;
        }
        // a snapshot of an empty table sends no frames: the marker still replaces the content
        if (isSnapshotMarker(requirePayload(payload, stream.name).value) && !applied) yield* truncateForSnapshot();
        yield* marks.commit(payload);
        existed ||= changes !== undefined;
      },
      committed: marks.committed,
    },
    input.checkpoints,
    input.first,
  );
  log.info(
    `${stream.name}: applied ${load.rows - discarded} CDC rows in ${load.frames} frames to ${qualified} on (${changes?.key.join(', ') ?? ''}): ` +
      `${snapshotRows} snapshot rows, ${upserted} inserted or updated, ${deleted} deleted${cdc.softDelete ? ' (soft)' : ''}, ${truncates} truncates, ${load.commits} commits`,
  );
  return {
    rows: load.rows - discarded,
    frames: load.frames,
    ...(changeLog.size > 0 && { schemaChanges: changeLog.list(load.rows - discarded) }),
  };
}

/** The stage's change columns for frames of `shape`: a change frame's own (a snapshot frame has none: `current`). */
function stageChangeColumns(stream: string, shape: FrameSchema, current: StageChangeColumns): StageChangeColumns {
  if (cdcPhase(shape) === 'snapshot') return current;
  const found = changeColumns(shape, 'upsert');
  if (found.op === undefined) {
    throw ConnectorError.permanent(
      'CDC_COLUMNS_MISSING',
      `${stream}: a CDC change frame has no operation column (marked rapidbyte.cdc_column = op, or named _rb_op)`,
      {
        stream,
      },
    );
  }
  return { op: found.op, unchanged: found.unchanged ?? current.unchanged };
}

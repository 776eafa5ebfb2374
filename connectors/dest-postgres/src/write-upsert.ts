import { frames, log, nextFrame, pg, type FrameField, type PgColumn, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { evolveTable, type EvolutionTarget, type EvolvedColumns } from './apply-evolution.js';
import { loadByCheckpoint } from './checkpoint-intervals.js';
import { evolutionPolicy } from './evolution-policy.js';
import { mergeStatement, stageTableDdl, stageTableName } from './merge-sql.js';
import { sameFields } from './plan-evolution.js';
import { SchemaChangeLog } from './schema-change-log.js';
import { copyInTo } from './copy-in-to.js';
import { copyPiece } from './copy-piece.js';
import { qualifiedStage } from './merge-sql.js';
import { rejectionSummary, writeIsolation, type WriteIsolation } from './write-isolation.js';
import { ensureTargetTable, tableOid } from './target-table.js';
import { resolveUpsertKey } from './upsert-key.js';
import { buildPendingKey } from './pending-indexes.js';
import { watermarkCommits } from './watermark-store.js';
import { watermarkKey, type WriteResult, type WriteSession } from './write-session.js';

/**
 * `upsert`: evolves an existing target to the first frame's schema (`schema_evolution`), then one
 * transaction per checkpoint interval. Its frames are COPYed into a temp stage table
 * (`_rb_stage_<n>`, dropped on commit, rows numbered by `_rb_seq`); at the marker the stage is
 * merged into the target (last row per key wins, `INSERT ... ON CONFLICT (key) DO UPDATE`), the
 * watermark is written, the transaction COMMITs and the marker is reported committed. Replaying
 * a batch leaves the target as it was. A frame whose schema differs from the one before merges
 * the stage, evolves the target inside the transaction and continues in a new stage. Columns
 * whose type change writes NULL are merged as NULL (updated rows lose their old value too).
 * A row the stage or the merge rejects (a data error) rolls the interval back and re-loads it with
 * the bad rows isolated, piece by piece through a stage of its own (`writeIsolation`).
 */
export function* writeUpsert(session: WriteSession): Step<WriteResult> {
  const { conn, stream, input } = session;
  const { schema } = session.settings;
  const table = stream.destinationTable;
  const qualified = quoteQualified(schema, table);
  const changes = new SchemaChangeLog();
  let columns: PgColumn[] = [];
  let names: string[] = [];
  let key: string[] = [];
  let identityAlways: readonly string[] = [];
  let target: EvolutionTarget | undefined;
  let fields: readonly FrameField[] = input.fields ?? [];
  const use = (evolved: EvolvedColumns): void => {
    columns = evolved.columns;
    names = [...columns.map((c) => c.name), ...evolved.nulled];
    identityAlways = evolved.identityAlways;
  };
  if (input.fields) {
    // a table an earlier COPY-only load left without its key gets it before anything is merged
    yield* buildPendingKey(conn, stream.name, schema, table, yield* tableOid(conn, schema, table));
    key = yield* resolveUpsertKey(
      conn,
      stream,
      schema,
      yield* tableOid(conn, schema, table),
      input.fields,
      input.sourceKey,
    );
    const oid = yield* ensureTargetTable(
      conn,
      stream.name,
      schema,
      table,
      input.fields,
      key,
      input.generated,
      input.domains,
      input.composites,
    );
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
    use(yield* evolveTable(target, input.fields, 0));
  } else {
    log.info(`${stream.name}: no frames; ${qualified} unchanged`);
  }
  let stages = 0;
  let stage = '';
  let copy: number | undefined;
  let copied = 0;
  let merged = 0;
  let seen = 0;
  function* newStage(): Step<void> {
    stages += 1;
    stage = stageTableName(stages);
    yield* pg.query(conn, stageTableDdl(schema, table, stage));
  }
  function* openStage(): Step<void> {
    yield* newStage();
    copy = yield* copyInTo(conn, 'pg_temp', stage, columns);
  }
  function* mergeStage(): Step<number> {
    const rows = Number(yield* pg.copyInEnd(copy as number));
    copy = undefined;
    merged += Number(
      (yield* pg.query(conn, mergeStatement(schema, table, stage, names, key, identityAlways))).rowCount,
    );
    return rows;
  }
  let isolated: WriteIsolation | undefined;
  if (input.fields) {
    // isolation: one stage per transaction (created outside the savepoints), emptied after each piece's merge
    isolated = yield* writeIsolation(session, key, {
      *load(piece) {
        const rows = yield* copyPiece(conn, 'pg_temp', stage, columns, piece);
        merged += Number(
          (yield* pg.query(conn, mergeStatement(schema, table, stage, names, key, identityAlways))).rowCount,
        );
        yield* pg.query(conn, `TRUNCATE ${qualifiedStage(stage)}`);
        return rows;
      },
      start: newStage,
    });
  }
  const load = yield* loadByCheckpoint(
    {
      next: nextFrame,
      *begin() {
        yield* pg.query(conn, 'BEGIN');
      },
      open: openStage,
      *write(frame) {
        const now = frames.schema(frame).fields;
        if (target && !sameFields(now, fields)) {
          copied += yield* mergeStage();
          use(yield* evolveTable(target, now, seen));
          fields = now;
          yield* openStage();
        }
        const rows = frames.rows(frame);
        if (rows > 0) yield* pg.copyInWrite(copy as number, frame);
        seen += rows;
        frames.release(frame);
      },
      *close() {
        const rows = copied + (yield* mergeStage());
        copied = 0;
        return rows;
      },
      ...watermarkCommits(conn, watermarkKey(session)),
      ...(isolated && { isolation: isolated.isolation }),
    },
    input.checkpoints,
    input.first,
  );
  log.info(
    `${stream.name}: upserted ${load.rows} rows in ${load.frames} frames into ${qualified} on (${key.join(', ')}): ` +
      `${merged} inserted or updated, ${load.commits} commits`,
  );
  return {
    rows: load.rows,
    frames: load.frames,
    ...(changes.size > 0 && { schemaChanges: changes.list(load.rows) }),
    ...rejectionSummary(isolated),
  };
}

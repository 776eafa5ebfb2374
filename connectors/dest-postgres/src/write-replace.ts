import { effectiveKey } from './frame-input.js';
import { checkpoint, ConnectorError, frames, log, pg, type Step } from '@rapidbyte/sdk';
import { evolveTable, type EvolutionTarget } from './apply-evolution.js';
import { evolutionPolicy } from './evolution-policy.js';
import { sameFields } from './plan-evolution.js';
import { SchemaChangeLog } from './schema-change-log.js';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { copyAllFrames, type FrameInput } from './frame-input.js';
import { withReplaceLock } from './replace-lock.js';
import { replaceTable } from './replace-table.js';
import { OUTGOING_FOREIGN_KEYS_SQL } from './table-definition-sql.js';
import { stagingTableName } from './staging-table-name.js';
import { fieldsWithComposites } from './composite-columns.js';
import { fieldsWithDomains } from './domain-columns.js';
import { copyInTo } from './copy-in-to.js';
import { buildDeferredIndexes, dropIndexesForLoad, type DeferredIndex } from './deferred-indexes.js';
import { pendingAsDeferred } from './pending-constraints.js';
import { pendingConstraints } from './pending-indexes.js';
import { ensureEnumTypes, planTable, tableOid } from './target-table.js';
import { checkFence, requirePayload, writeWatermark } from './watermark-store.js';
import { watermarkKey, type WriteResult, type WriteSession } from './write-session.js';

/**
 * `replace`: loads every frame into a staging table (a leftover one from a failed run is dropped
 * first), commits, then swaps it in for the target in one short transaction, which also writes
 * the watermark of the last checkpoint marker received; once that commits the marker is reported
 * committed. The staging table copies the target's definition (`LIKE ... INCLUDING ALL`) when the
 * target exists, else it is created from the frame schema. Checkpoint markers do not commit
 * anything before the swap: a replace that fails starts over. Schema evolution applies to the
 * staging copy of the target: the `fail` policies compare the frames with the old table, `add`
 * and `coerce` change the (empty) staging table, so the new table has the new shape and no old
 * value is ever cast; ignored and removed columns stay, NULL. The target's foreign keys to other
 * tables are added to the loaded staging table (checked then), the rest of its definition in the
 * swap (replace-table.ts). Two runs replacing the same table take turns (`withReplaceLock`).
 * With `defer_indexes` (default) the staging table's indexes, primary key included, are dropped
 * before the first row and built again (same names and definitions) after the last one, inside
 * the load transaction: rows that repeat a key fail it with `DUPLICATE_KEY` and nothing is
 * swapped. With `copy_freeze` (default) the COPYs freeze their rows (the staging table is created
 * in the same transaction). A killed replace leaves nothing: its one load transaction rolls back.
 */
export function* writeReplace(session: WriteSession): Step<WriteResult> {
  const { conn, settings, stream } = session;
  const qualified = quoteQualified(settings.schema, stream.destinationTable);
  return yield* withReplaceLock(conn, stream.name, qualified, () => loadAndSwap(session));
}

function* loadAndSwap(session: WriteSession): Step<WriteResult> {
  const { conn, settings, stream, input } = session;
  const { schema } = settings;
  const table = stream.destinationTable;
  const staging = stagingTableName(table);
  const qualified = quoteQualified(schema, table);
  const stage = quoteQualified(schema, staging);
  const targetOid = yield* tableOid(conn, schema, table);
  if (!targetOid && !input.fields) {
    log.warn(`${stream.name}: no frames and no ${qualified}; nothing to replace`);
    yield* pg.query(conn, 'BEGIN');
    yield* writeLastWatermark(session);
    yield* pg.query(conn, 'COMMIT');
    reportLast(input);
    return { rows: 0, frames: 0 };
  }
  const plan =
    targetOid || !input.fields
      ? undefined
      : planTable(
          stream.name,
          schema,
          staging,
          yield* fieldsWithComposites(
            conn,
            stream.name,
            schema,
            yield* fieldsWithDomains(conn, stream.name, input.fields, input.domains),
            input.composites,
          ),
          effectiveKey(stream.primaryKey, input),
          { generated: input.generated },
        );
  if (plan) yield* ensureEnumTypes(conn, plan.enums);

  yield* pg.query(conn, 'BEGIN');
  yield* pg.query(conn, `DROP TABLE IF EXISTS ${stage}`);
  yield* pg.query(conn, plan ? plan.createTable : `CREATE TABLE ${stage} (LIKE ${qualified} INCLUDING ALL)`);
  let rows = 0;
  let frameCount = 0;
  const changes = new SchemaChangeLog();
  let deferred: readonly DeferredIndex[] = [];
  // a target an append run left without its key (killed before it built it): the new table gets it
  const owed = yield* pendingConstraints(conn, targetOid);
  if (input.fields) {
    const stagingOid = (yield* tableOid(conn, schema, staging)) ?? '0';
    if (settings.deferIndexes) deferred = yield* dropIndexesForLoad(conn, stagingOid, stage);
    // the staging table was created in this transaction: its COPYs may freeze the rows
    const freeze = settings.copyFreeze;
    const target: EvolutionTarget = {
      conn,
      stream: stream.name,
      schema,
      table: staging,
      oid: stagingOid,
      shown: qualified,
      policy: evolutionPolicy(stream),
      changes,
    };
    let fields = input.fields;
    let columns = (yield* evolveTable(target, fields, 0)).columns;
    const first = yield* copyInTo(conn, schema, staging, columns, freeze);
    const copied = yield* copyAllFrames(first, input, function* (frame, copy, rowsBefore) {
      const now = frames.schema(frame).fields;
      if (sameFields(now, fields)) return copy;
      rows += Number(yield* pg.copyInEnd(copy));
      columns = (yield* evolveTable(target, now, rowsBefore)).columns;
      fields = now;
      return yield* copyInTo(conn, schema, staging, columns, freeze);
    });
    frameCount = copied.frames;
    rows += Number(yield* pg.copyInEnd(copied.copy));
  }
  yield* buildDeferredIndexes(conn, stream.name, qualified, [...deferred, ...pendingAsDeferred(owed, stage)]);
  if (targetOid) yield* addOutgoingForeignKeys(conn, stream.name, qualified, targetOid, stage);
  yield* pg.query(conn, 'COMMIT');
  log.info(`${stream.name}: loaded ${rows} rows in ${frameCount} frames into ${stage}`);

  try {
    yield* replaceTable(conn, settings, stream.name, table, staging, function* () {
      // the swap carried the target's comment over: it no longer owes a key
      if (owed.length > 0) yield* pg.query(conn, `COMMENT ON TABLE ${qualified} IS NULL`);
      yield* writeLastWatermark(session);
    });
  } catch (error) {
    yield* dropQuietly(conn, stage);
    throw error;
  }
  reportLast(input);
  log.info(`${stream.name}: replaced ${qualified} with ${rows} rows`);
  return { rows, frames: frameCount, ...(changes.size > 0 && { schemaChanges: changes.list(rows) }) };
}

/**
 * Gives the loaded staging table the target's foreign keys to other tables (same names), which
 * checks the new rows against the referenced tables now, before the swap locks the target. A
 * row whose key is missing there fails the replace (the old table stays) with a permanent
 * `FOREIGN_KEY_VIOLATION` naming the constraint and the target.
 */
function* addOutgoingForeignKeys(
  conn: number,
  stream: string,
  qualified: string,
  targetOid: string,
  stage: string,
): Step<void> {
  for (const [sql] of (yield* pg.query(conn, OUTGOING_FOREIGN_KEYS_SQL, [targetOid, stage])).rows) {
    try {
      yield* pg.query(conn, sql ?? '');
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.sqlstate !== '23503') throw error;
      throw ConnectorError.permanent(
        'FOREIGN_KEY_VIOLATION',
        `${stream}: cannot replace ${qualified}: the new rows break one of its foreign keys (${error.message}); ` +
          'the old table is kept. Load the referenced rows first or drop the constraint',
        { stream, sqlstate: '23503' },
      );
    }
  }
}

/**
 * Writes the last marker's payload as the watermark (inside the caller's transaction; none seen:
 * only the fence is checked). A newer session of the stream refuses it (`FENCED`): a zombie never
 * swaps its stale staging table over what a newer run committed.
 */
function* writeLastWatermark(session: WriteSession): Step<void> {
  const last = lastMarker(session.input);
  if (last !== undefined)
    yield* writeWatermark(session.conn, watermarkKey(session), requirePayload(last, session.stream.name));
  else yield* checkFence(session.conn, watermarkKey(session));
}

/** After the commit: reports the last marker (if any) as committed. */
function reportLast(input: FrameInput): void {
  const last = lastMarker(input);
  if (last !== undefined) checkpoint('committed', JSON.parse(last) as unknown);
}

function lastMarker(input: FrameInput): string | undefined {
  return input.checkpoints[input.checkpoints.length - 1];
}

function* dropQuietly(conn: number, stage: string): Step<void> {
  try {
    yield* pg.query(conn, `DROP TABLE IF EXISTS ${stage}`);
  } catch {
    // left for the next run, which drops it first
  }
}

import { compositeColumnsMetadata } from './composite-columns.js';
import { domainColumnsMetadata } from './domain-columns.js';
import {
  ConnectorError,
  checkpoint,
  isCancelled,
  log,
  pg,
  type ResumePoint,
  type SessionContext,
  type Step,
  type StreamContext,
  type TransferSummary,
} from '@rapidbyte/sdk';
import { PRIMARY_KEY_METADATA, SOURCE_STREAM_METADATA } from '@rapidbyte/sdk/frames';
import { closeQuietly } from '@rapidbyte/sdk';
import { withStreamContext } from '@rapidbyte/sdk/postgres';
import { projectedPrimaryKey } from './column-projection.js';
import {
  LOOKBACK_CHECK_SQL,
  boundaryKeysQuery,
  cursorChunkCopyStatement,
  cursorChunkUpperQuery,
  sentinelCopyStatement,
  nullCursorCountSql,
  sentinelCountsSql,
  sentinelKeysQuery,
  type CursorLow,
} from './cursor-sql.js';
import { incrementalCheckpoint, planIncremental, type IncrementalPlan } from './incremental-plan.js';
import {
  DEFAULT_BATCH_ROWS,
  checkpointChunkRows,
  copyChunk,
  openReadSnapshot,
  positiveInt,
  projectOrThrow,
  type CopyTarget,
} from './read-snapshot.js';
import { resolveReadKey } from './read-key.js';
import { describeRelation } from './relation-catalog.js';
import { planGeneratedColumns } from './generated-columns.js';
import type { SourceConfig } from './source-config.js';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import { inheritanceNote } from './stream-relation-sql.js';

/**
 * Reads the rows whose cursor is at or past the resume point, in one REPEATABLE READ snapshot,
 * in chunks of about `checkpointIntervalRows` rows that never split a cursor value, ordered by
 * cursor then key, with a checkpoint after each chunk and always a final one. Rows with a NULL
 * cursor are never read. Interrupted (`isCancelled()`), it stops after the current chunk's
 * checkpoint, so the engine drains and the next run resumes from there.
 */
export function* readIncremental(
  config: SourceConfig,
  context: SessionContext,
  stream: StreamContext,
): Step<TransferSummary> {
  const relationName = parseStreamName(stream.name);
  let conn: number | undefined;
  let doing = 'connect';
  try {
    conn = yield* openReadSnapshot(config, context);
    doing = 'read catalog';
    const relation = yield* describeRelation(
      conn,
      stream.name,
      relationName.schema,
      relationName.table,
      config.row_security === true,
    );
    // generated columns the destination recreates are not read (see planGeneratedColumns)
    const generated = planGeneratedColumns(
      stream.name,
      projectOrThrow(stream, relation),
      relation.generated,
      [...relation.primaryKey, ...(stream.primaryKey ?? []), ...(stream.cursorField ? [stream.cursorField] : [])],
      false,
    );
    const columns = generated.columns;
    const inherited = inheritanceNote(stream.name, relation.inheritanceChildren);
    if (inherited) log.info(inherited);
    const planned = planIncremental({
      relation: { ...relationName, relkind: relation.relkind },
      stream,
      columns: relation.columns,
      key: resolveReadKey(relation.columns, relation.primaryKey, stream.primaryKey),
      resume: context.resume,
    });
    if (!planned.ok) {
      const { code, message, column } = planned.problem;
      throw ConnectorError.permanent(code, `${stream.name}: ${message}`, { stream: stream.name, column });
    }
    const plan = planned.plan;
    for (const warning of plan.warnings) log.warn(`${stream.name}: ${warning}`);
    if (stream.lookback?.trim()) {
      doing = 'check lookback';
      yield* checkLookback(conn, stream.name, stream.lookback.trim());
    }
    const target: CopyTarget = {
      columns,
      batchRows: positiveInt(context.resources?.batchRows, DEFAULT_BATCH_ROWS),
      metadata: [
        [PRIMARY_KEY_METADATA, JSON.stringify(projectedPrimaryKey(relation.primaryKey, columns))],
        [SOURCE_STREAM_METADATA, stream.name],
        ...generated.metadata,
        ...domainColumnsMetadata(relation.domains, columns),
        ...compositeColumnsMetadata(relation.composites, columns),
      ],
    };
    if (
      stream.onNullCursor !== 'include' &&
      relation.columns.find((c) => c.name === plan.read.cursor.name)?.nullable !== false
    ) {
      doing = 'count NULL cursors';
      const nulls = Number((yield* pg.query(conn, nullCursorCountSql(plan.read))).rows[0]?.[0] ?? '0');
      if (nulls > 0) {
        const what = `${nulls} row(s) have a NULL ${plan.read.cursor.name}; no stored cursor orders them, so an incremental read never reads them`;
        if (stream.onNullCursor === 'skip') log.warn(`${stream.name}: ${what}: left out (on_null_cursor: skip)`);
        else {
          throw ConnectorError.permanent(
            'CURSOR_NULL',
            `${stream.name}: ${what}. Set on_null_cursor: include on the stream to read them on every run (upsert rewrites them in place; append with a NOT NULL primary key delivers each once), ` +
              `on_null_cursor: skip to leave them out, or pick a cursor_field that is never NULL`,
            { stream: stream.name, column: plan.read.cursor.name },
          );
        }
      }
    }
    const chunkRows = yield* checkpointChunkRows(conn, relation.oid, context);
    if (plan.low.kind !== 'all')
      log.info(
        `${stream.name}: resuming at ${plan.read.cursor.name} ${plan.low.kind === 'from' ? '>=' : '>'} ${plan.low.value}`,
      );
    let low: CursorLow = plan.low;
    let rows = 0;
    let frameCount = 0;
    let last: ResumePoint | undefined;
    let interrupted = false;
    for (;;) {
      doing = 'find chunk bound';
      const bound = cursorChunkUpperQuery(plan.read, low, chunkRows);
      const upper = (yield* pg.query(conn, bound.sql, [...bound.params])).rows[0]?.[0];
      if (upper === undefined) break;
      doing = 'copy out';
      const done = yield* copyChunk(conn, cursorChunkCopyStatement(plan.read, columns, low, upper), target);
      rows += done.rows;
      frameCount += done.frames;
      let boundaryKeys: string[][] | undefined;
      if (plan.trackBoundary) {
        doing = 'read boundary keys';
        const keys = boundaryKeysQuery(plan.read, upper);
        boundaryKeys = (yield* pg.query(conn, keys.sql, [...keys.params])).rows.map((r) => r.map((v) => v ?? ''));
      }
      last = incrementalCheckpoint(plan, upper, boundaryKeys, rows);
      checkpoint('resume', last);
      // The bound covered the first `chunkRows` rows past `low`; fewer copied means none is left.
      if (done.rows < chunkRows) break;
      low = { kind: 'after', value: upper };
      if (isCancelled()) {
        interrupted = true;
        log.info(
          `${stream.name}: interrupted: stopped after the chunk ending at ${plan.read.cursor.name} ${upper} (${rows} rows); the next run resumes there`,
        );
        break;
      }
    }
    // Rows whose cursor is a sentinel come last, every run; the checkpoint keeps the finite cursor.
    if (!interrupted) {
      doing = 'read sentinel cursors';
      const sentinel = yield* readSentinelRows(conn, plan, stream.writeMode, columns, target, last, rows);
      if (sentinel) {
        rows += sentinel.rows;
        frameCount += sentinel.frames;
        last = sentinel.checkpoint;
        checkpoint('resume', last);
        // NULL cursors read under on_null_cursor: include were asked for; sentinels were not
        if (sentinel.onlyNulls) log.info(`${stream.name}: ${sentinel.message}`);
        else log.warn(`${stream.name}: ${sentinel.message}`);
      }
    }
    // The last chunk's checkpoint is the final one; with no rows, the resume point is repeated.
    if (!last) checkpoint('resume', plan.emptyCheckpoint);
    doing = 'commit';
    yield* pg.query(conn, 'COMMIT');
    yield* pg.close(conn);
    conn = undefined;
    const end = last?.cursorValue ?? plan.emptyCheckpoint.cursorValue;
    log.info(
      `${stream.name}: read ${rows} rows in ${frameCount} frames (incremental, ${plan.read.cursor.name} now ${end ?? 'unset'})`,
    );
    return { rows, frames: frameCount };
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, stream.name, doing);
  }
}

/**
 * Reads the rows whose cursor is a sentinel (cursor-sentinel.ts) after the finite chunks: all of
 * them, or under `append` with a key those not delivered before. Returns what it read, the
 * checkpoint that follows (the finite resume point, with the sentinel rows' keys under append)
 * and the warning; undefined when the table has none.
 */
function* readSentinelRows(
  conn: number,
  plan: IncrementalPlan,
  writeMode: StreamContext['writeMode'],
  columns: CopyTarget['columns'],
  target: CopyTarget,
  last: ResumePoint | undefined,
  rowsBefore: number,
): Step<{ rows: number; frames: number; checkpoint: ResumePoint; message: string; onlyNulls: boolean } | undefined> {
  const countsSql = sentinelCountsSql(plan.read);
  const delivered = plan.trackBoundary ? plan.sentinelKeys : [];
  const copy = sentinelCopyStatement(plan.read, columns, delivered);
  if (!countsSql || !copy) return undefined;
  const counts = (yield* pg.query(conn, countsSql)).rows;
  if (counts.length === 0) return undefined;
  const done = yield* copyChunk(conn, copy, target);
  const keysSql = plan.trackBoundary ? sentinelKeysQuery(plan.read) : undefined;
  const keys = keysSql ? (yield* pg.query(conn, keysSql)).rows.map((r) => r.map((v) => v ?? '')) : undefined;
  const finite = last ?? plan.emptyCheckpoint;
  const { sentinelKeys: _previous, ...rest } = finite;
  const found = counts
    .map(
      (r) =>
        `${r[1] ?? '?'} row(s) with ${plan.read.cursor.name} ${r[0] === undefined ? 'NULL (on_null_cursor: include)' : `= ${r[0]}`}`,
    )
    .join(', ');
  const how = keys
    ? `these rows are read on every run; the ones delivered before are skipped by primary key (${done.rows} new)`
    : writeMode === 'append'
      ? 'these rows are read and appended again on every run (no NOT NULL primary key tells the delivered ones apart; write_mode upsert rewrites them in place instead)'
      : 'these rows are read again on every run (upsert rewrites them in place)';
  return {
    rows: done.rows,
    frames: done.frames,
    onlyNulls: counts.every((r) => r[0] === undefined),
    checkpoint: { ...rest, ...(keys && keys.length > 0 ? { sentinelKeys: keys } : {}), rows: rowsBefore + done.rows },
    message:
      `${found}: no stored cursor can order ${counts.length === 1 ? 'it' : 'them'} (no later value exceeds a sentinel; NULL has no order), so the stored cursor stays at the largest finite value ` +
      `(${finite.cursorValue ?? 'none yet'}) and ${how}`,
  };
}

/** A lookback must be a valid, non-negative Postgres interval; anything else is permanent LOOKBACK_INVALID. */
function* checkLookback(conn: number, streamName: string, lookback: string): Step<void> {
  let ok: string | undefined;
  try {
    ok = (yield* pg.query(conn, LOOKBACK_CHECK_SQL, [lookback])).rows[0]?.[0];
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.kind === 'transient') throw error;
    throw ConnectorError.permanent(
      'LOOKBACK_INVALID',
      `${streamName}: lookback ${JSON.stringify(lookback)} is not a Postgres interval (e.g. "5 minutes"): ${error.message}`,
      { stream: streamName },
    );
  }
  if (ok !== 'true') {
    throw ConnectorError.permanent(
      'LOOKBACK_INVALID',
      `${streamName}: lookback ${JSON.stringify(lookback)} must not be negative`,
      { stream: streamName },
    );
  }
}

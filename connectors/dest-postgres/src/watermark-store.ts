import { checkpoint, ConnectorError, log, pg, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { parseCheckpointPayload, type CheckpointPayload } from './checkpoint-payload.js';
import { createIgnoringRace, tableOid } from './target-table.js';
import {
  epochFenceSql,
  fencedWatermarkSql,
  readWatermarkSql,
  takeEpochSql,
  WATERMARK_HAS_EPOCH_SQL,
  WATERMARK_TABLE,
  watermarkEpochMigrationSql,
  watermarkTableDdl,
} from './watermark-sql.js';

/** Whose watermark: the pipeline and the (source) stream name. */
export interface WatermarkKey {
  readonly schema: string;
  readonly pipeline: string;
  readonly stream: string;
}

/**
 * A write session's claim on its stream: the watermark key and the epoch the session took. Every
 * commit of the session checks that epoch is still the stream's current one.
 */
export interface Fence extends WatermarkKey {
  readonly epoch: string;
}

/**
 * Creates `"<schema>"."_rb_watermarks"` when it is missing (a concurrent create by another stream
 * is fine); one created before fencing gets its `epoch` column.
 */
export function* ensureWatermarkTable(conn: number, schema: string): Step<void> {
  const oid = yield* tableOid(conn, schema, WATERMARK_TABLE);
  if (oid) {
    const has = (yield* pg.query(conn, WATERMARK_HAS_EPOCH_SQL, [oid])).rows[0]?.[0];
    if (has === 'f' || has === 'false') {
      yield* pg.query(conn, watermarkEpochMigrationSql(schema));
      log.info(`added the epoch column to ${quoteQualified(schema, WATERMARK_TABLE)}`);
    }
    return;
  }
  if (yield* createIgnoringRace(conn, watermarkTableDdl(schema), schema, WATERMARK_TABLE)) {
    log.info(`created watermark table ${quoteQualified(schema, WATERMARK_TABLE)}`);
  }
}

/**
 * Takes the next epoch of the stream (committed on its own, outside any transaction), before the
 * session reads its resume point: an older session of the stream (a zombie: a worker that stopped
 * answering and whose chain runs again elsewhere) either committed before this, and the resume
 * point covers its rows, or has every later commit refused (`FENCED`).
 */
export function* takeEpoch(conn: number, key: WatermarkKey): Step<Fence> {
  const r = yield* pg.query(conn, takeEpochSql(key.schema), [key.pipeline, key.stream]);
  // RETURNING always gives the row on a real server; an in-memory test host may give none
  return { ...key, epoch: r.rows[0]?.[0] ?? '0' };
}

/** The payload of the stream's last committed checkpoint, or null when none was committed. */
export function* readWatermark(conn: number, key: WatermarkKey): Step<unknown> {
  const r = yield* pg.query(conn, readWatermarkSql(key.schema), [key.pipeline, key.stream]);
  const text = r.rows[0]?.[0];
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/**
 * Upserts the watermark row inside the caller's transaction, fenced: when another session took
 * the stream since this one started, rolls the transaction back and throws `FENCED`.
 */
export function* writeWatermark(conn: number, fence: Fence, payload: CheckpointPayload): Step<void> {
  const r = yield* pg.query(conn, fencedWatermarkSql(fence.schema), [
    fence.pipeline,
    fence.stream,
    payload.json,
    fence.epoch,
  ]);
  yield* refuseNewerEpoch(conn, fence, r.rows[0]?.[0]);
}

/**
 * The fence of a transaction that commits data without a watermark: locks the stream's row (until
 * the transaction ends) and, when another session took the stream, rolls back and throws `FENCED`.
 */
export function* checkFence(conn: number, fence: Fence): Step<void> {
  const r = yield* pg.query(conn, epochFenceSql(fence.schema), [fence.pipeline, fence.stream]);
  yield* refuseNewerEpoch(conn, fence, r.rows[0]?.[0]);
}

/**
 * What a session that failed should report: `FENCED` when a newer session took the stream since
 * this one started (checked after rolling back), else undefined (the failure stands). A zombie's
 * load can fail before its commit because of the newer session's rows (an append into a keyed
 * table: a duplicate key, which would be retried as rejected rows); reported as is, the engine
 * would retry it and the retry would take the stream back. Undefined too when the check itself
 * fails (the connection is gone).
 */
export function* fencedInstead(conn: number, fence: Fence, error: unknown): Step<ConnectorError | undefined> {
  if (error instanceof ConnectorError && error.code === 'FENCED') return undefined;
  try {
    yield* pg.query(conn, 'ROLLBACK');
    const current = (yield* pg.query(conn, epochFenceSql(fence.schema), [fence.pipeline, fence.stream])).rows[0]?.[0];
    return current === undefined || current === fence.epoch ? undefined : fencedError(fence, current);
  } catch {
    return undefined;
  }
}

/** No row (deleted by hand) is nothing to fence against; another epoch than the session's is. */
function* refuseNewerEpoch(conn: number, fence: Fence, current: string | undefined): Step<void> {
  if (current === undefined || current === fence.epoch) return;
  yield* pg.query(conn, 'ROLLBACK');
  throw fencedError(fence, current);
}

/** The permanent `FENCED` error of a session whose commit a newer session of the stream refused. */
export function fencedError(fence: Fence, current: string): ConnectorError {
  return ConnectorError.permanent(
    'FENCED',
    `${fence.stream}: another attempt (epoch ${current}) took over this stream since this attempt started ` +
      `(epoch ${fence.epoch}): its commit was refused, nothing written`,
    { stream: fence.stream },
  );
}

/** A marker's payload, parsed; one that is not JSON is a permanent protocol error. */
export function requirePayload(text: string, stream: string): CheckpointPayload {
  const parsed = parseCheckpointPayload(text);
  if (!parsed.ok) throw ConnectorError.permanent('INVALID_CHECKPOINT', `${stream}: ${parsed.message}`, { stream });
  return parsed;
}

/**
 * `commit(payload, beforeCommit)`: writes the watermark (when a payload is given; else only checks
 * the fence), runs `beforeCommit` and COMMITs the open transaction — refused with `FENCED` when a
 * newer session took the stream (then `beforeCommit` does not run; once the fence passed, the row
 * lock it took keeps a newer session out until the COMMIT); `committed(payload)`: reports the
 * committed marker to the engine.
 */
export function watermarkCommits(conn: number, key: Fence) {
  return {
    *commit(payload: string | undefined, beforeCommit?: () => Step<void>): Step<void> {
      if (payload !== undefined) yield* writeWatermark(conn, key, requirePayload(payload, key.stream));
      else yield* checkFence(conn, key);
      if (beforeCommit) yield* beforeCommit();
      yield* pg.query(conn, 'COMMIT');
    },
    // An arrow: the writers pass it on detached (`committed: marks.committed`).
    committed: (payload: string): void => {
      checkpoint('committed', requirePayload(payload, key.stream).value);
    },
  };
}

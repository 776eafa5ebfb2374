import { checkpoint, ConnectorError, log, pg, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { parseCheckpointPayload, type CheckpointPayload } from './checkpoint-payload.js';
import { createIgnoringRace, tableOid } from './target-table.js';
import { readWatermarkSql, upsertWatermarkSql, WATERMARK_TABLE, watermarkTableDdl } from './watermark-sql.js';

/** Whose watermark: the pipeline and the (source) stream name. */
export interface WatermarkKey {
  readonly schema: string;
  readonly pipeline: string;
  readonly stream: string;
}

/** Creates `"<schema>"."_rb_watermarks"` when it is missing (a concurrent create by another stream is fine). */
export function* ensureWatermarkTable(conn: number, schema: string): Step<void> {
  if (yield* tableOid(conn, schema, WATERMARK_TABLE)) return;
  if (yield* createIgnoringRace(conn, watermarkTableDdl(schema))) {
    log.info(`created watermark table ${quoteQualified(schema, WATERMARK_TABLE)}`);
  }
}

/** The payload of the stream's last committed checkpoint, or null when none was committed. */
export function* readWatermark(conn: number, key: WatermarkKey): Step<unknown> {
  const r = yield* pg.query(conn, readWatermarkSql(key.schema), [key.pipeline, key.stream]);
  const text = r.rows[0]?.[0];
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** Upserts the watermark row, inside the caller's transaction. */
export function* writeWatermark(conn: number, key: WatermarkKey, payload: CheckpointPayload): Step<void> {
  yield* pg.query(conn, upsertWatermarkSql(key.schema), [key.pipeline, key.stream, payload.json]);
}

/** A marker's payload, parsed; one that is not JSON is a permanent protocol error. */
export function requirePayload(text: string, stream: string): CheckpointPayload {
  const parsed = parseCheckpointPayload(text);
  if (!parsed.ok) throw ConnectorError.permanent('INVALID_CHECKPOINT', `${stream}: ${parsed.message}`, { stream });
  return parsed;
}

/**
 * `commit(payload)`: writes the watermark (when a payload is given) and COMMITs the open
 * transaction; `committed(payload)`: reports the committed marker to the engine.
 */
export function watermarkCommits(conn: number, key: WatermarkKey) {
  return {
    *commit(payload: string | undefined): Step<void> {
      if (payload !== undefined) yield* writeWatermark(conn, key, requirePayload(payload, key.stream));
      yield* pg.query(conn, 'COMMIT');
    },
    // An arrow: the writers pass it on detached (`committed: marks.committed`).
    committed: (payload: string): void => {
      checkpoint('committed', requirePayload(payload, key.stream).value);
    },
  };
}

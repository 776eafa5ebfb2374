import { log, pg, type Step, type StreamContext } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { tableOid } from './target-table.js';
import { readWatermark, type WatermarkKey } from './watermark-store.js';

/**
 * The resume point a destination reports when it holds nothing of the stream: the source starts
 * from the beginning (a snapshot for CDC), and the engine does not fall back to the state DB's
 * copy of an older checkpoint. `reason` says why, for the log.
 */
export interface StartOver {
  readonly mode: 'none';
  readonly reason: string;
}

/**
 * Where the stream resumes, as the destination sees it (reported before the source starts):
 * - `replace`, or after `state reset` (`ignoreWatermark`): null — the engine decides (from the start);
 * - the target table does not exist (dropped, or its schema was): {@link StartOver}, whatever the
 *   watermark or the state DB say, since resuming after them would leave every earlier row out;
 * - an incremental stream whose target table is empty while a watermark exists (truncated to be
 *   reloaded): {@link StartOver} — reading from the start is harmless for append and upsert there;
 * - otherwise the watermark (the last committed checkpoint's payload), or null.
 */
export function* destinationResumePoint(
  conn: number,
  key: WatermarkKey,
  table: string,
  stream: StreamContext,
  ignoreWatermark: boolean,
): Step<unknown> {
  if (stream.writeMode === 'replace' || ignoreWatermark) return null;
  const target = quoteQualified(key.schema, table);
  const watermark = yield* readWatermark(conn, key);
  if ((yield* tableOid(conn, key.schema, table)) === undefined) {
    if (watermark !== null)
      log.warn(
        `${stream.name}: ${target} does not exist, but a watermark says rows were committed there: the stream starts from the beginning`,
      );
    return { mode: 'none', reason: `the destination table ${target} does not exist` } satisfies StartOver;
  }
  if (watermark !== null && stream.syncMode === 'incremental') {
    const any = (yield* pg.query(conn, `SELECT EXISTS (SELECT 1 FROM ${target})`)).rows[0]?.[0];
    const empty = any === 'f' || any === 'false';
    if (empty) {
      log.warn(
        `${stream.name}: ${target} is empty, but a watermark says rows were committed there (was it truncated?): the stream reads from the beginning`,
      );
      return { mode: 'none', reason: `the destination table ${target} is empty` } satisfies StartOver;
    }
  }
  return watermark;
}

import { pg, type FrameHandle, type PgColumn, type Step } from '@rapidbyte/sdk';
import { copyInTo } from './copy-in-to.js';
import { isDataError } from './data-error.js';

/** Ends a COPY FROM whose write failed, ignoring its error (the caller rolls back anyway). */
export function* endCopyQuietly(copy: number): Step<void> {
  try {
    yield* pg.copyInEnd(copy);
  } catch {
    // the COPY already failed or was ended; the transaction (or savepoint) is rolled back next
  }
}

/**
 * One COPY FROM of one frame (a piece of one, during row isolation): opens the COPY, writes the
 * frame (consuming the handle) and ends it; returns the rows COPY reported. On a failure the COPY
 * is ended before the error is rethrown, so the connection is ready for the rollback.
 */
export function* copyPiece(
  conn: number,
  schema: string,
  table: string,
  columns: PgColumn[],
  piece: FrameHandle,
): Step<number> {
  const copy = yield* copyInTo(conn, schema, table, columns);
  try {
    yield* pg.copyInWrite(copy, piece);
  } catch (error) {
    if (isDataError(error)) yield* endCopyQuietly(copy);
    throw error;
  }
  return Number(yield* pg.copyInEnd(copy));
}

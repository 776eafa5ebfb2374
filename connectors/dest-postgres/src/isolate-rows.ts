import { frames, pg, type FrameHandle, type Step } from '@rapidbyte/sdk';
import { isDataError } from './data-error.js';
import type { ConnectorError } from '@rapidbyte/sdk';

/** Bisection stops splitting at this depth (a 65,536-row frame: pieces of 64 rows) and goes row by row. */
const MAX_BISECT_DEPTH = 10;
/** Pieces this small are tried row by row rather than split again. */
const ROW_BY_ROW_ROWS = 4;

/** Loads one piece of a frame into the open transaction (a COPY, a merge); consumes the handle. */
export type PieceLoad = (piece: FrameHandle) => Step<number>;

/** Called for each row the destination rejects: `row` indexes `frame`. May throw (policy `fail`). */
export type RejectRow = (frame: FrameHandle, row: number, error: ConnectorError) => Step<void>;

/** What isolating one frame did. */
export interface IsolatedFrame {
  readonly rows: number;
  readonly rejected: number;
}

const SAVEPOINT = 'rb_isolate';

/** Loads a piece under a savepoint; a data error rolls back to it and is returned, others throw. */
function* tryPiece(conn: number, piece: FrameHandle, load: PieceLoad): Step<number | ConnectorError> {
  yield* pg.query(conn, `SAVEPOINT ${SAVEPOINT}`);
  try {
    const rows = yield* load(piece);
    yield* pg.query(conn, `RELEASE SAVEPOINT ${SAVEPOINT}`);
    return rows;
  } catch (error) {
    if (!isDataError(error)) throw error;
    yield* pg.query(conn, `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    yield* pg.query(conn, `RELEASE SAVEPOINT ${SAVEPOINT}`);
    return error;
  }
}

/**
 * Loads the rows of `frame` that the destination accepts, in the open transaction, and hands each
 * rejected row to `reject`: the whole frame first; when it fails with a data error, each half
 * (each under a savepoint, so what succeeded stays), down to `maxDepth` levels or pieces of
 * `ROW_BY_ROW_ROWS` rows, then row by row. A frame with k bad rows of n costs about
 * k·log2(n) extra attempts; every attempt is a slice of `frame` (no copy). `frame` itself is not
 * consumed: the caller releases it.
 */
export function* isolateRows(
  conn: number,
  frame: FrameHandle,
  load: PieceLoad,
  reject: RejectRow,
  maxDepth = MAX_BISECT_DEPTH,
): Step<IsolatedFrame> {
  let rejected = 0;
  function* piece(offset: number, length: number, depth: number): Step<number> {
    const outcome = yield* tryPiece(conn, frames.slice(frame, offset, length), load);
    if (typeof outcome === 'number') return outcome;
    if (length === 1) {
      rejected += 1;
      yield* reject(frame, offset, outcome);
      return 0;
    }
    let rows = 0;
    if (depth >= maxDepth || length <= ROW_BY_ROW_ROWS) {
      for (let i = 0; i < length; i++) rows += yield* piece(offset + i, 1, depth + 1);
      return rows;
    }
    const half = Math.ceil(length / 2);
    rows += yield* piece(offset, half, depth + 1);
    rows += yield* piece(offset + half, length - half, depth + 1);
    return rows;
  }
  const total = frames.rows(frame);
  const rows = total > 0 ? yield* piece(0, total, 0) : 0;
  return { rows, rejected };
}

import type { FrameHandle, FrameItem, Step } from '@rapidbyte/sdk';

/**
 * What a write mode does inside the transactions `loadByCheckpoint` drives. One transaction
 * covers the frames between two checkpoint markers; the marker's watermark commits with them.
 */
export interface IntervalTarget {
  /** The next upstream item (`nextFrame`). */
  next(): Step<FrameItem>;
  /** `BEGIN`. */
  begin(): Step<void>;
  /** Before the first frame of a transaction: start taking frames (a COPY, a stage table). */
  open(): Step<void>;
  /** Loads one frame (and releases it). */
  write(frame: FrameHandle): Step<void>;
  /** Ends the frames of the open transaction (end the COPY, merge); returns the rows loaded. */
  close(): Step<number>;
  /** Writes the watermark (when a payload is given) and `COMMIT`s. */
  commit(payload: string | undefined): Step<void>;
  /** After the commit of a marker: report it (`checkpoint('committed', ...)`). */
  committed(payload: string): void;
}

/** Counts of a load. `commits`: transactions committed (with or without a watermark). */
export interface IntervalLoad {
  readonly rows: number;
  readonly frames: number;
  readonly commits: number;
}

/**
 * Loads the upstream in one transaction per checkpoint interval: frames go into the open
 * transaction; a marker closes the frames, commits them together with the marker's watermark and
 * reports the marker as committed (a marker with no frames before it commits just the watermark).
 * At the end, frames after the last marker are committed without moving the watermark.
 * `early` are markers received before `first` (in order); `first` is the first frame, if any.
 */
export function* loadByCheckpoint(
  target: IntervalTarget,
  early: readonly string[],
  first: FrameHandle | undefined,
): Step<IntervalLoad> {
  let inTransaction = false;
  let taking = false;
  let rows = 0;
  let frames = 0;
  let commits = 0;

  function* onFrame(frame: FrameHandle): Step<void> {
    if (!inTransaction) {
      yield* target.begin();
      inTransaction = true;
    }
    if (!taking) {
      yield* target.open();
      taking = true;
    }
    yield* target.write(frame);
    frames += 1;
  }
  function* commit(payload: string | undefined): Step<void> {
    if (taking) {
      rows += yield* target.close();
      taking = false;
    }
    yield* target.commit(payload);
    inTransaction = false;
    commits += 1;
  }
  function* onMarker(payload: string): Step<void> {
    if (!inTransaction) {
      yield* target.begin();
      inTransaction = true;
    }
    yield* commit(payload);
    target.committed(payload);
  }

  for (const payload of early) yield* onMarker(payload);
  if (first !== undefined) {
    yield* onFrame(first);
    for (;;) {
      const item = yield* target.next();
      if (item.kind === 'end') break;
      if (item.kind === 'frame') yield* onFrame(item.frame);
      else yield* onMarker(item.payload);
    }
  }
  if (inTransaction) yield* commit(undefined);
  return { rows, frames, commits };
}

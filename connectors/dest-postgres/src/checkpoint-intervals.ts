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
  /**
   * Writes the watermark (when a payload is given; it checks the session's fence), runs
   * `beforeCommit` (when given: it happens only if the fence let the commit through) and `COMMIT`s.
   */
  commit(payload: string | undefined, beforeCommit?: () => Step<void>): Step<void>;
  /** After the commit of a marker: report it (`checkpoint('committed', ...)`). */
  committed(payload: string): void;
  /** Row isolation (optional): without it a rejected row fails the load, as before. */
  readonly isolation?: IntervalIsolation;
}

/**
 * Row isolation of a write mode. Frames are not kept after their COPY (an interval can be
 * hundreds of MB): a data error of the plain load (`rejects`) fails the attempt with the
 * transient `ROWS_REJECTED` (`retry`), nothing of the interval committed; the engine then runs
 * the stream again from the last commit with `fromStart`, where every frame is loaded on its own
 * (`load`: whole, else bisected, with the rejected rows isolated) and released at once.
 */
export interface IntervalIsolation {
  /** Load every frame with rejected rows isolated (the attempt after a `ROWS_REJECTED`). */
  readonly fromStart: boolean;
  /** Whether an error of `write` / `close` is a rejected row (a data error) rather than a failure. */
  rejects(error: unknown): boolean;
  /** The error that ends an attempt whose plain load met a rejected row. */
  retry(error: unknown): Error;
  /** Prepares a transaction of isolated loads (after its BEGIN; e.g. a stage table). */
  start(): Step<void>;
  /** Loads the frame's good rows into the open transaction; returns them. Does not consume `frame`. */
  load(frame: FrameHandle): Step<number>;
  /** Releases a frame handle after its load. */
  release(frame: FrameHandle): void;
  /** Before each COMMIT of isolated loads: waits until the engine stored this interval's dead letters. */
  beforeCommit(): Step<void>;
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
 * With `target.isolation`, a data error fails the attempt with `ROWS_REJECTED` (nothing of the
 * interval commits); with `isolation.fromStart` every frame is loaded with rejected rows isolated,
 * and each interval still commits with its marker's watermark.
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
  const isolation = target.isolation;
  const isolating = isolation?.fromStart === true;

  function* begin(): Step<void> {
    yield* target.begin();
    inTransaction = true;
    if (isolating) yield* (isolation as IntervalIsolation).start();
  }
  function* onFrame(frame: FrameHandle): Step<void> {
    if (!inTransaction) yield* begin();
    frames += 1;
    if (isolating) {
      const iso = isolation as IntervalIsolation;
      rows += yield* iso.load(frame);
      iso.release(frame);
      return;
    }
    if (!taking) {
      yield* target.open();
      taking = true;
    }
    try {
      yield* target.write(frame);
    } catch (error) {
      if (!isolation?.rejects(error)) throw error;
      throw isolation.retry(error);
    }
  }
  function* commit(payload: string | undefined): Step<void> {
    if (taking) {
      try {
        rows += yield* target.close();
        taking = false;
      } catch (error) {
        if (!isolation?.rejects(error)) throw error;
        throw isolation.retry(error);
      }
    }
    // dead letters reach the state DB only once the fence let this commit through
    yield* target.commit(payload, isolating ? () => (isolation as IntervalIsolation).beforeCommit() : undefined);
    inTransaction = false;
    commits += 1;
  }
  function* onMarker(payload: string): Step<void> {
    if (!inTransaction) yield* begin();
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

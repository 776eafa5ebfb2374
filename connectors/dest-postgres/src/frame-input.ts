import { checkpoint, frames, log, nextFrame, pg, type FrameField, type FrameHandle, type Step } from '@rapidbyte/sdk';

/** The start of the upstream: the first frame (if any) and checkpoint markers seen before it. */
export interface FrameInput {
  readonly first: FrameHandle | undefined;
  /** The first frame's fields (undefined when the stream ended without a frame). */
  readonly fields: readonly FrameField[] | undefined;
  /** Checkpoint markers (JSON) received so far, reported once the data before them is committed. */
  readonly checkpoints: string[];
}

/** Waits for the first frame (possibly with zero rows) or the end of the stream. */
export function* readFirstFrame(): Step<FrameInput> {
  const checkpoints: string[] = [];
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'checkpoint') checkpoints.push(item.payload);
    else if (item.kind === 'frame') return { first: item.frame, fields: frames.schema(item.frame).fields, checkpoints };
    else return { first: undefined, fields: undefined, checkpoints };
  }
}

/**
 * Writes the first frame and every following one into an open COPY FROM (the host encodes the
 * rows), releasing each frame once written, until the end of the stream. Returns the frame count.
 */
export function* copyAllFrames(copy: number, input: FrameInput): Step<number> {
  let count = 0;
  let frame = input.first;
  while (frame !== undefined) {
    if (frames.rows(frame) > 0) yield* pg.copyInWrite(copy, frame);
    frames.release(frame);
    count += 1;
    frame = undefined;
    for (;;) {
      const item = yield* nextFrame();
      if (item.kind === 'frame') {
        frame = item.frame;
        break;
      }
      if (item.kind === 'end') break;
      input.checkpoints.push(item.payload);
    }
  }
  return count;
}

/** Tells the host that everything up to the last checkpoint marker received is committed. */
export function reportCommitted(input: FrameInput): void {
  const last = input.checkpoints[input.checkpoints.length - 1];
  if (last === undefined) return;
  try {
    checkpoint('committed', JSON.parse(last));
  } catch {
    log.warn('checkpoint marker is not JSON; not reported');
  }
}

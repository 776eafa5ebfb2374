import type { RecordBatch } from 'apache-arrow';
import type { FrameHandle } from '@rapidbyte/sdk/contract';
import { CopyRowsFrame, type Frame } from './copy-rows-frame.js';

/**
 * Host-owned frames of one worker, addressed by `u64` handles. Guests pass handles, never
 * bytes; a frame lives until it is released or moved into a channel. A frame is an Arrow batch,
 * or COPY rows decoded into one the first time `get` asks for its values.
 */
export class FrameTable {
  readonly #frames = new Map<FrameHandle, Frame>();
  #next = 1n;

  add(frame: Frame): FrameHandle {
    const handle = this.#next++;
    this.#frames.set(handle, frame);
    return handle;
  }

  /** The frame as stored (COPY rows stay undecoded). */
  frame(handle: FrameHandle): Frame {
    const frame = this.#frames.get(handle);
    if (!frame)
      throw Object.assign(new Error(`unknown frame handle ${handle}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    return frame;
  }

  /** A second handle to the same stored frame: nothing is decoded or copied (`frame-slice` of a whole frame). */
  share(handle: FrameHandle): FrameHandle {
    return this.add(this.frame(handle));
  }

  /** The frame's row count (COPY rows stay undecoded). */
  rowCount(handle: FrameHandle): number {
    return this.frame(handle).numRows;
  }

  /** The frame's Arrow batch (COPY rows are decoded now, once). */
  get(handle: FrameHandle): RecordBatch {
    const frame = this.frame(handle);
    return frame instanceof CopyRowsFrame ? frame.toBatch() : frame;
  }

  /** Removes the frame and returns it as stored (ownership moves to the caller). */
  take(handle: FrameHandle): Frame {
    const frame = this.frame(handle);
    this.#frames.delete(handle);
    return frame;
  }

  release(handle: FrameHandle): void {
    this.#frames.delete(handle);
  }

  get size(): number {
    return this.#frames.size;
  }
}

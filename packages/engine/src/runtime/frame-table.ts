import type { RecordBatch } from 'apache-arrow';
import type { FrameHandle } from '@rapidbyte/sdk/contract';

/**
 * Host-owned Arrow frames of one worker, addressed by `u64` handles. Guests pass handles, never
 * bytes; a frame lives until it is released or moved into a channel.
 */
export class FrameTable {
  readonly #frames = new Map<FrameHandle, RecordBatch>();
  #next = 1n;

  add(batch: RecordBatch): FrameHandle {
    const handle = this.#next++;
    this.#frames.set(handle, batch);
    return handle;
  }

  get(handle: FrameHandle): RecordBatch {
    const batch = this.#frames.get(handle);
    if (!batch) throw Object.assign(new Error(`unknown frame handle ${handle}`), { kind: 'permanent', code: 'BAD_FRAME_HANDLE' });
    return batch;
  }

  /** Removes the frame and returns it (ownership moves to the caller). */
  take(handle: FrameHandle): RecordBatch {
    const batch = this.get(handle);
    this.#frames.delete(handle);
    return batch;
  }

  release(handle: FrameHandle): void {
    this.#frames.delete(handle);
  }

  get size(): number {
    return this.#frames.size;
  }
}

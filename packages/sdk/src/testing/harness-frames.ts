import { RecordBatch, Schema } from 'apache-arrow';
import type { FrameHandle } from '../guest/wit-types.js';

/**
 * The harness's host-owned frames, addressed by `u64` handles like the engine's frame table.
 * (A copy of the engine's `FrameTable`, which the SDK cannot import.)
 */
export class HarnessFrames {
  readonly #frames = new Map<FrameHandle, RecordBatch>();
  #next = 1n;

  add(batch: RecordBatch): FrameHandle {
    const handle = this.#next++;
    this.#frames.set(handle, batch);
    return handle;
  }

  get(handle: FrameHandle): RecordBatch {
    const batch = this.#frames.get(handle);
    if (!batch)
      throw Object.assign(new Error(`unknown frame handle ${handle}`), {
        payload: { kind: 'permanent', code: 'BAD_HANDLE', message: `unknown frame handle ${handle}` },
      });
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

  /** Frames still held (neither emitted nor released): a leak check for tests. */
  get size(): number {
    return this.#frames.size;
  }
}

/**
 * A frame's Arrow schema as the JSON of `frame-schema`, exactly as the engine writes it
 * (copy of the engine's `describeSchema`).
 */
export function describeSchema(schema: Schema): string {
  return JSON.stringify({
    fields: schema.fields.map((f) => ({
      name: f.name,
      type: String(f.type),
      nullable: f.nullable,
      metadata: Object.fromEntries(f.metadata),
    })),
    metadata: Object.fromEntries(schema.metadata),
  });
}

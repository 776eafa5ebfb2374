import type { RecordBatch } from 'apache-arrow';
import type { FrameHandle, WitConnectorError } from '../guest/wit-types.js';
import { castFrame } from './frame-cast.js';
import { filterFrame, type SeenKeys } from './frame-filter.js';
import { hashColumn, maskColumn } from './frame-hash.js';
import { FrameOpError } from './frame-op-error.js';
import { frameRecords, sliceFrame } from './frame-slice.js';

/** The part of a frame table the operations need (the engine's `FrameTable`, the harness's frames). */
export interface FrameStore {
  get(handle: FrameHandle): RecordBatch;
  add(batch: RecordBatch): FrameHandle;
  /**
   * Optional: a second handle to the frame exactly as stored (not decoded, not copied), so
   * `frame-slice` of a whole frame costs nothing even when the store keeps frames undecoded.
   */
  share?(handle: FrameHandle): FrameHandle;
  /** Optional: the frame's row count without decoding it. */
  rowCount?(handle: FrameHandle): number;
}

/** `frame-slice` over a store: the whole frame is shared as stored, a part is an Arrow slice. */
function sliceInStore(frames: FrameStore, frame: FrameHandle, offset: number, length: number): FrameHandle {
  if (offset === 0 && frames.share && frames.rowCount?.(frame) === length) return frames.share(frame);
  return frames.add(sliceFrame(frames.get(frame), offset, length));
}

/** Lifts a `FrameOpError` into the `err` case of the import's `result` (jco reads `payload`). */
function lifted<A extends unknown[], R>(op: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      return op(...args);
    } catch (error) {
      if (!(error instanceof FrameOpError)) throw error;
      const payload: WitConnectorError = {
        kind: 'permanent',
        code: error.code,
        message: error.message,
        column: error.details.column,
      };
      throw Object.assign(new Error(error.message), { payload });
    }
  };
}

/**
 * The vectorised frame operations of the WIT `host` interface (`frame-cast`, `frame-filter`,
 * `frame-hash`, `frame-mask`, `frame-slice`, `frame-records`) for one component instance. The instance's `unique` keys live here,
 * so one instance = one transform session = one set of seen keys.
 */
export function frameOperationImports(frames: FrameStore): Record<string, (...args: never[]) => unknown> {
  const seen: SeenKeys = new Map();
  return {
    frameCast: lifted((frame: FrameHandle, casts: [string, string][]) =>
      frames.add(castFrame(frames.get(frame), casts)),
    ),
    frameFilter: lifted((frame: FrameHandle, rulesJson: string, maxDetails: number): [FrameHandle, bigint, string] => {
      const result = filterFrame(frames.get(frame), rulesJson, maxDetails, seen);
      return [frames.add(result.passed), BigInt(result.failedCount), JSON.stringify(result.failures)];
    }),
    frameHash: lifted((frame: FrameHandle, column: string, algorithm: string, salt: string) =>
      frames.add(hashColumn(frames.get(frame), column, algorithm, salt)),
    ),
    frameMask: lifted((frame: FrameHandle, column: string, replacement: string | undefined) =>
      frames.add(maskColumn(frames.get(frame), column, replacement)),
    ),
    frameSlice: lifted((frame: FrameHandle, offset: bigint, length: bigint) =>
      sliceInStore(frames, frame, Number(offset), Number(length)),
    ),
    frameRecords: lifted((frame: FrameHandle, offset: bigint, count: bigint) =>
      JSON.stringify(frameRecords(frames.get(frame), Number(offset), Number(count))),
    ),
  };
}

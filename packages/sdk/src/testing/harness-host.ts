import { Field, RecordBatch, Schema, tableFromIPC } from 'apache-arrow';
import type { FrameHandle, LogLevel, WitConnectorError } from '../guest/wit-types.js';
import { frameOperationImports } from '../frame-ops/frame-op-imports.js';
import { describeSchema, type HarnessFrames } from './harness-frames.js';
import type { OutputItem } from './session-record.js';

/** The mutable capture one session's host imports write into. */
export interface HostCapture {
  readonly frames: RecordBatch[];
  readonly output: OutputItem[];
  readonly checkpoints: { kind: string; payload: unknown }[];
  readonly deadLetters: { record: unknown; error: string; category: string }[];
  readonly logs: { level: LogLevel; message: string }[];
  readonly metrics: { name: string; value: number }[];
  readonly state: Map<string, string>;
  readonly cancelled: () => boolean;
}

function componentError(code: string, message: string): Error {
  const payload: WitConnectorError = { kind: 'permanent', code, message };
  // jco lifts a thrown `{ payload }` into the `err` case of a `result`.
  return Object.assign(new Error(message), { payload });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * The `rapidbyte:connector/host` imports over an in-memory capture. Frame operations behave as
 * the engine's (`frame-project`, `frame-rename`, `frame-from-ipc`, `frame-schema` JSON; `frame-cast`,
 * `frame-filter`, `frame-hash`, `frame-mask` are the very same code, from `frame-ops/`).
 */
export function createHarnessHost(frames: HarnessFrames, capture: HostCapture): Record<string, unknown> {
  return {
    log: (level: LogLevel, message: string) => capture.logs.push({ level, message }),
    metric: (name: string, value: number) => capture.metrics.push({ name, value }),
    checkpoint: (kind: string, payload: string) => {
      const parsed = parseJson(payload);
      capture.checkpoints.push({ kind, payload: parsed });
      capture.output.push({ kind: 'checkpoint', checkpointKind: kind, payload: parsed });
    },
    emitBatch: (frame: FrameHandle) => {
      const batch = frames.take(frame);
      capture.frames.push(batch);
      capture.output.push({ kind: 'frame', batch });
    },
    frameRows: (frame: FrameHandle) => BigInt(frames.get(frame).numRows),
    frameSchema: (frame: FrameHandle) => describeSchema(frames.get(frame).schema),
    frameRelease: (frame: FrameHandle) => frames.release(frame),
    frameProject: (frame: FrameHandle, columns: string[]) => {
      const batch = frames.get(frame);
      const missing = columns.filter((c) => !batch.schema.fields.some((f) => f.name === c));
      if (missing.length > 0) throw componentError('COLUMN_NOT_FOUND', `frame has no column ${missing.join(', ')}`);
      return frames.add(batch.select(columns));
    },
    frameRename: (frame: FrameHandle, renames: [string, string][]) => {
      const batch = frames.get(frame);
      const map = new Map(renames);
      const fields = batch.schema.fields.map((f) =>
        map.has(f.name) ? new Field(map.get(f.name) as string, f.type, f.nullable, f.metadata) : f,
      );
      return frames.add(new RecordBatch(new Schema(fields, batch.schema.metadata), batch.data));
    },
    frameFromIpc: (ipc: Uint8Array) => {
      let table;
      try {
        table = tableFromIPC(ipc);
      } catch (error) {
        throw componentError('BAD_IPC', `frame-from-ipc: ${(error as Error).message}`);
      }
      if (table.batches.length !== 1)
        throw componentError('BAD_IPC', `frame-from-ipc expects one record batch, got ${table.batches.length}`);
      return frames.add(table.batches[0] as RecordBatch);
    },
    ...frameOperationImports(frames),
    stateGet: (key: string) => capture.state.get(key),
    statePut: (key: string, value: string) => void capture.state.set(key, value),
    stateCas: (key: string, expected: string | undefined, value: string) => {
      if (capture.state.get(key) !== expected) return false;
      capture.state.set(key, value);
      return true;
    },
    emitDlq: (record: string, error: string, category: string) =>
      capture.deadLetters.push({ record: parseJson(record), error, category }),
    isCancelled: () => capture.cancelled(),
  };
}

/** WASI interfaces the guest declares but is never granted: any use throws (as in the engine). */
export function deniedWasiImports(): Record<string, unknown> {
  const deny = (name: string): unknown =>
    new Proxy(function denied() {}, {
      construct: () => {
        throw new Error(`${name}: WASI capability not granted to connectors`);
      },
      apply: () => {
        throw new Error(`${name}: WASI capability not granted to connectors`);
      },
    });
  return new Proxy(
    {},
    { get: (_t, iface: string) => new Proxy({}, { get: (_u, member: string) => deny(`${iface}#${member}`) }) },
  );
}

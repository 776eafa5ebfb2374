import type { FrameHandle, LogLevel } from '@rapidbyte/sdk/contract';
import { Field, RecordBatch, Schema } from 'apache-arrow';
import { tableFromIPC } from 'apache-arrow';
import { frameOperationImports } from '@rapidbyte/sdk/frame-ops';
import type { Frame } from './copy-rows-frame.js';
import type { FrameTable } from './frame-table.js';

/** What an instance's synchronous host imports do; the worker wires them to channels and events. */
export interface InstanceHooks {
  log(level: LogLevel, message: string): void;
  metric(name: string, value: number): void;
  checkpoint(kind: string, payloadJson: string): void;
  /** Source and transform output (COPY rows stay undecoded). */
  emit(frame: Frame): void;
  stateGet(key: string): string | undefined;
  statePut(key: string, value: string): void;
  stateCas(key: string, expected: string | undefined, value: string): boolean;
  deadLetter(recordJson: string, error: string, category: string): void;
  isCancelled(): boolean;
}

function componentError(code: string, message: string): Error {
  // jco lifts a thrown `{ payload }` into the `err` case of a `result`.
  return Object.assign(new Error(message), { payload: { kind: 'permanent', code, message } });
}

/** Describes a frame's Arrow schema as JSON for `frame-schema`. */
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

/** Builds the `rapidbyte:connector/host` import object for one instance. */
export function createHostImports(frames: FrameTable, hooks: InstanceHooks): Record<string, unknown> {
  return {
    log: (level: LogLevel, message: string) => hooks.log(level, message),
    metric: (name: string, value: number) => hooks.metric(name, value),
    checkpoint: (kind: string, payload: string) => hooks.checkpoint(kind, payload),
    emitBatch: (frame: FrameHandle) => hooks.emit(frames.take(frame)),
    frameRows: (frame: FrameHandle) => BigInt(frames.frame(frame).numRows),
    frameSchema: (frame: FrameHandle) => describeSchema(frames.frame(frame).schema),
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
    // frame-cast, frame-filter (with this instance's `unique` keys), frame-hash, frame-mask
    ...frameOperationImports(frames),
    stateGet: (key: string) => hooks.stateGet(key),
    statePut: (key: string, value: string) => hooks.statePut(key, value),
    stateCas: (key: string, expected: string | undefined, value: string) => hooks.stateCas(key, expected, value),
    emitDlq: (record: string, error: string, category: string) => hooks.deadLetter(record, error, category),
    isCancelled: () => hooks.isCancelled(),
  };
}

/**
 * WASI interfaces the guest engine still declares (componentize-js keeps wasi:http/io types even
 * with every feature disabled). Guests get no implementation: any use throws.
 */
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

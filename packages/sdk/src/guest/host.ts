import * as imports from 'rapidbyte:connector/host@0.1.0';
import { ConnectorError } from './connector-error.js';
import type { FrameSchema } from './session-context.js';
import type { FrameHandle, WitConnectorError } from './wit-types.js';

function rethrow(error: unknown): never {
  const payload = (error as { payload?: WitConnectorError }).payload;
  if (payload && typeof payload.code === 'string') throw ConnectorError.fromWit(payload);
  throw error;
}

/** Logging that ends up in the engine's typed event stream (never on the guest's stdout). */
export const log = {
  debug: (message: string): void => imports.log('debug', message),
  info: (message: string): void => imports.log('info', message),
  warn: (message: string): void => imports.log('warn', message),
  error: (message: string): void => imports.log('error', message),
};

export const metric = (name: string, value: number): void => imports.metric(name, value);

/**
 * Source: places a checkpoint marker in the frame channel after the frames emitted so far.
 * Destination: reports that everything up to this checkpoint is committed.
 */
export const checkpoint = (kind: string, payload: unknown): void =>
  imports.checkpoint(kind, JSON.stringify(payload));

/** Host-owned Arrow frames, addressed by handle. */
export const frames = {
  /** Sends a frame downstream; ownership moves to the channel. */
  emit: (frame: FrameHandle): void => imports.emitBatch(frame),
  rows: (frame: FrameHandle): number => Number(imports.frameRows(frame)),
  schema: (frame: FrameHandle): FrameSchema => JSON.parse(imports.frameSchema(frame)) as FrameSchema,
  release: (frame: FrameHandle): void => imports.frameRelease(frame),
  project(frame: FrameHandle, columns: string[]): FrameHandle {
    try {
      return imports.frameProject(frame, columns);
    } catch (e) {
      return rethrow(e);
    }
  },
  rename(frame: FrameHandle, renames: [string, string][]): FrameHandle {
    try {
      return imports.frameRename(frame, renames);
    } catch (e) {
      return rethrow(e);
    }
  },
  /** Portable slow path: a batch the guest built itself, as Arrow IPC stream bytes. */
  fromIpc(ipc: Uint8Array): FrameHandle {
    try {
      return imports.frameFromIpc(ipc);
    } catch (e) {
      return rethrow(e);
    }
  },
};

/** Connector key/value state, scoped by the host to (pipeline, connector, stream). */
export const state = {
  get: (key: string): string | undefined => imports.stateGet(key),
  put: (key: string, value: string): void => imports.statePut(key, value),
  cas: (key: string, expected: string | undefined, value: string): boolean => imports.stateCas(key, expected, value),
};

/** Sends a rejected record to the dead-letter queue. */
export const deadLetter = (record: unknown, error: string, category: string): void =>
  imports.emitDlq(JSON.stringify(record), error, category);

export const isCancelled = (): boolean => imports.isCancelled();

import * as imports from 'rapidbyte:connector/host@0.1.0';
import { ConnectorError } from './connector-error.js';
import type { FrameSchema } from './session-context.js';
import type { FrameHandle, WitConnectorError } from './wit-types.js';

/** One validation rule of `frames.filter` (the host evaluates it over whole columns). */
export interface FilterRule {
  readonly column: string;
  readonly not_null?: boolean;
  /** Matched against the value's text (JavaScript syntax, unanchored). */
  readonly regex?: string;
  /** Inclusive bounds. */
  readonly range?: { readonly min?: number | string; readonly max?: number | string };
  readonly allowed_values?: readonly (string | number | boolean)[];
  /** No repeat within the session. */
  readonly unique?: boolean;
}

/** A row `frames.filter` rejected. */
export interface RowFailure {
  readonly row: number;
  readonly column: string;
  readonly rule: 'not_null' | 'regex' | 'range' | 'allowed_values' | 'unique';
  readonly reason: string;
  /** The row's values by column (int8 and decimals as strings, timestamps as ISO text). */
  readonly record: Record<string, string | number | boolean | null>;
}

/** What `frames.filter` returns. */
export interface FilterOutcome {
  readonly passed: FrameHandle;
  readonly failedCount: number;
  readonly failures: RowFailure[];
}

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
export const checkpoint = (kind: string, payload: unknown): void => imports.checkpoint(kind, JSON.stringify(payload));

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
  /**
   * Casts columns in the host: `[column, type]` with type `int16 | int32 | int64 | float64 | utf8 |
   * bool | date | timestamp | timestamptz | decimal(p,s)`. A value that does not cast throws
   * `CAST_FAILED` naming the column, row and value.
   */
  cast(frame: FrameHandle, casts: [string, string][]): FrameHandle {
    try {
      return imports.frameCast(frame, casts);
    } catch (e) {
      return rethrow(e);
    }
  },
  /**
   * Evaluates validation rules over the whole frame in the host and splits it: `passed` is a new
   * frame of the rows that pass, `failedCount` how many did not, `failures` the first
   * `maxDetails` of them with their reason and values. `unique` remembers keys for the session.
   */
  filter(frame: FrameHandle, rules: readonly FilterRule[], maxDetails = 0): FilterOutcome {
    try {
      const [passed, failed, details] = imports.frameFilter(frame, JSON.stringify(rules), maxDetails);
      return { passed, failedCount: Number(failed), failures: JSON.parse(details) as RowFailure[] };
    } catch (e) {
      return rethrow(e);
    }
  },
  /** Replaces a column by the hex `sha256` of `salt` + the value's text, in the host. */
  hash(frame: FrameHandle, column: string, salt = '', algorithm: 'sha256' = 'sha256'): FrameHandle {
    try {
      return imports.frameHash(frame, column, algorithm, salt);
    } catch (e) {
      return rethrow(e);
    }
  },
  /** Replaces every non-NULL value of a column by `replacement`, or every value by NULL (`null`). */
  mask(frame: FrameHandle, column: string, replacement: string | null): FrameHandle {
    try {
      return imports.frameMask(frame, column, replacement ?? undefined);
    } catch (e) {
      return rethrow(e);
    }
  },
  /**
   * Rows `[offset, offset + length)` as a new frame sharing the buffers (nothing is copied). The
   * whole range is a second handle to the same frame: keep one while the other goes into a COPY.
   */
  slice(frame: FrameHandle, offset: number, length: number): FrameHandle {
    try {
      return imports.frameSlice(frame, BigInt(offset), BigInt(length));
    } catch (e) {
      return rethrow(e);
    }
  },
  /** Rows `[offset, offset + count)` by column, rendered as `RowFailure.record` (for dead letters). */
  records(frame: FrameHandle, offset: number, count: number): RowFailure['record'][] {
    try {
      return JSON.parse(imports.frameRecords(frame, BigInt(offset), BigInt(count))) as RowFailure['record'][];
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

/** Synchronous host imports of the WIT interface `rapidbyte:connector/host@0.1.0`. */
declare module 'rapidbyte:connector/host@0.1.0' {
  type FrameHandle = import('./wit-types.js').FrameHandle;
  type LogLevel = import('./wit-types.js').LogLevel;
  export type WitConnectorError = import('./wit-types.js').WitConnectorError;
  export function log(level: LogLevel, message: string): void;
  export function metric(name: string, value: number): void;
  export function checkpoint(kind: string, payloadJson: string): void;
  export function emitBatch(frame: FrameHandle): void;
  export function frameRows(frame: FrameHandle): bigint;
  export function frameSchema(frame: FrameHandle): string;
  export function frameRelease(frame: FrameHandle): void;
  /** Throws `{ payload: WitConnectorError }` on error. */
  export function frameProject(frame: FrameHandle, columns: string[]): FrameHandle;
  export function frameRename(frame: FrameHandle, renames: [string, string][]): FrameHandle;
  export function frameFromIpc(ipc: Uint8Array): FrameHandle;
  export function frameCast(frame: FrameHandle, casts: [string, string][]): FrameHandle;
  /** Returns [passing frame, failed count, JSON of the first `maxDetails` failures]. */
  export function frameFilter(frame: FrameHandle, rulesJson: string, maxDetails: number): [FrameHandle, bigint, string];
  export function frameHash(frame: FrameHandle, column: string, algorithm: string, salt: string): FrameHandle;
  export function frameMask(frame: FrameHandle, column: string, replacement: string | undefined): FrameHandle;
  export function frameSlice(frame: FrameHandle, offset: bigint, length: bigint): FrameHandle;
  /** JSON list of the rows' values by column. */
  export function frameRecords(frame: FrameHandle, offset: bigint, count: bigint): string;
  export function stateGet(key: string): string | undefined;
  export function statePut(key: string, value: string): void;
  export function stateCas(key: string, expected: string | undefined, value: string): boolean;
  export function emitDlq(recordJson: string, error: string, category: string): void;
  export function isCancelled(): boolean;
}

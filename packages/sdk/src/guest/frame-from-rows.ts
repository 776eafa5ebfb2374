/**
 * `@rapidbyte/sdk/rows`: guest-built Arrow frames from plain JS rows (the portable slow path for
 * connectors whose data does not come through a host capability such as Postgres COPY).
 */
import { frames } from './host.js';
import { rowsToIpc, type Row, type RowsToIpcOptions } from './rows-to-ipc.js';
import type { FrameHandle } from './wit-types.js';

export { LineDecoder } from './line-decoder.js';
export { inferRowColumns, rowsToIpc, ROW_COLUMN_TYPES } from './rows-to-ipc.js';
export type { Row, RowColumn, RowColumnType, RowsToIpcOptions } from './rows-to-ipc.js';

/**
 * Builds one frame from rows (Arrow IPC built in the guest, handed to the host with
 * `frame-from-ipc`) and returns its handle; pass it to `frames.emit`. Throws a permanent
 * `ConnectorError` (`BAD_VALUE`, `NULL_IN_NOT_NULL`) naming the column of a value that does not fit.
 */
export function frameFromRows(rows: readonly Row[], options: RowsToIpcOptions = {}): FrameHandle {
  return frames.fromIpc(rowsToIpc(rows, options));
}

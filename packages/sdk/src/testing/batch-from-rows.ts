import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { rowsToIpc, type Row, type RowsToIpcOptions } from '../guest/rows-to-ipc.js';

/**
 * An Arrow record batch from plain rows, built exactly as a guest's `frameFromRows` builds it:
 * for feeding a destination or transform (`input`) or answering a `pg-copy-out-next`.
 */
export function batchFromRows(rows: readonly Row[], options: RowsToIpcOptions = {}): RecordBatch {
  const batch = tableFromIPC(rowsToIpc(rows, options)).batches[0];
  if (!batch) throw new Error('batchFromRows: no batch');
  return batch;
}

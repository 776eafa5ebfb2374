import type { StreamContext } from '@rapidbyte/sdk/contract';
import { destinationTableOf, type StreamConfig } from '../config/index.js';

/** What a connector session is told about its stream (the `stream` of the session context). */
export function streamContext(stream: StreamConfig): StreamContext {
  return {
    name: stream.name,
    syncMode: stream.syncMode,
    cursorField: stream.cursorField,
    lookback: stream.lookback,
    ...(stream.onNullCursor !== undefined && { onNullCursor: stream.onNullCursor }),
    columns: stream.columns,
    writeMode: stream.writeMode,
    primaryKey: stream.primaryKey,
    // the name Postgres stores (63 bytes at most), so every stage and log names the real table
    destinationTable: destinationTableOf(stream).table,
    ...(stream.schemaEvolution !== undefined && { schemaEvolution: { ...stream.schemaEvolution } }),
    ...(stream.dlqTable !== undefined && { dlqTable: stream.dlqTable }),
  };
}

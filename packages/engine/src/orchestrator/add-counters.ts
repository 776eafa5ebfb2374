import type { StreamCounters } from './stream-task.js';

/** Counters of a stream that has done nothing yet. */
export const NO_COUNTS: StreamCounters = Object.freeze({ rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 });

/**
 * The sum of two counters (attempts of one stream, or shards of one stream): optional counts stay
 * absent when both are, schema changes are concatenated.
 */
export function addCounters(a: StreamCounters, b: StreamCounters): StreamCounters {
  const sum = {
    rowsRead: a.rowsRead + b.rowsRead,
    bytesRead: a.bytesRead + b.bytesRead,
    rowsWritten: a.rowsWritten + b.rowsWritten,
    bytesWritten: a.bytesWritten + b.bytesWritten,
  };
  const optional = (x: number | undefined, y: number | undefined): number | undefined =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const rowsSkipped = optional(a.rowsSkipped, b.rowsSkipped);
  const rowsDeadLettered = optional(a.rowsDeadLettered, b.rowsDeadLettered);
  const rowsRolledBack = optional(a.rowsRolledBack, b.rowsRolledBack);
  const stalls = optional(a.stalls, b.stalls);
  const schemaChanges =
    a.schemaChanges || b.schemaChanges ? [...(a.schemaChanges ?? []), ...(b.schemaChanges ?? [])] : undefined;
  return {
    ...sum,
    ...(rowsSkipped === undefined ? {} : { rowsSkipped }),
    ...(rowsDeadLettered === undefined ? {} : { rowsDeadLettered }),
    ...(rowsRolledBack === undefined ? {} : { rowsRolledBack }),
    ...(schemaChanges === undefined ? {} : { schemaChanges }),
    ...(stalls === undefined ? {} : { stalls }),
  };
}

import type { PgReplicationOpen } from '@rapidbyte/sdk/contract';

/** What `pg-replication-next` yields: a change frame, a checkpoint after whole transactions, or the end. */
export type ReplicationItem = { readonly frame: bigint } | { readonly checkpoint: string } | { readonly end: true };

/**
 * The `pg-replication-*` requests of a source reading a CDC stream, as the request dispatcher
 * serves them. The runtime owns this contract; the CDC layer (`cdc/replication-capability.ts`)
 * implements it, so the runtime never imports from the layer above it.
 */
export interface ReplicationRequests {
  /** Attaches to the replication stream of one table; returns the handle the other requests name. */
  open(options: PgReplicationOpen): Promise<number>;
  /** The exported snapshot the source reads the table's existing rows in, and its LSN. */
  snapshot(handle: number): Promise<{ name: string; lsn: string }>;
  /** The source has finished reading the snapshot: changes may flow. */
  snapshotDone(handle: number): Promise<void>;
  next(handle: number): Promise<ReplicationItem>;
}

import type { PgConnectOptions, WitConnectorError } from '@rapidbyte/sdk/contract';

/**
 * Messages between a stream worker's replication capability and the main thread's replication
 * hub (one MessagePort per stream attempt). Change data travels packed (see ItemBatch).
 */

/** What a stream tells the hub when it attaches. */
export interface HubAttach {
  readonly connect: PgConnectOptions;
  readonly slot: string;
  readonly publication: string;
  readonly stream: string;
  /** The relation as pgoutput names it. */
  readonly schemaName: string;
  readonly tableName: string;
  /** Last LSN the destination committed for this stream; undefined: it needs a snapshot. */
  readonly startLsn?: string;
  /** How long slot creation may wait for open transactions (ms); undefined: the default. */
  readonly slotCreateTimeoutMs?: number;
  /** false: the source's large transactions are not streamed (pgoutput protocol version 1, see `HubSource`). */
  readonly streamTransactions?: boolean;
}

export type WorkerToHub =
  | { readonly t: 'open'; readonly id: number; readonly attach: HubAttach }
  | { readonly t: 'snapshot'; readonly id: number }
  | { readonly t: 'snapshot-done'; readonly id: number }
  /** The worker consumed `n` items. */
  | { readonly t: 'credit'; readonly n: number }
  /** The destination committed everything of this stream up to `lsn`. */
  | { readonly t: 'committed'; readonly lsn: string }
  | { readonly t: 'detach' };

export type HubToWorker =
  | { readonly t: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: WitConnectorError }
  | ({ readonly t: 'items' } & ItemBatch);

/** Kinds of the items a hub sends a stream, in replication order. */
export const ITEM_KINDS = {
  /** A pgoutput Relation message. */
  relation: 1,
  /** An Insert/Update/Delete/Truncate message; lsn = the transaction's final (commit) LSN. */
  change: 2,
  /** The end of a transaction that had changes for this stream; lsn = its end LSN. */
  commit: 3,
  /** Nothing more for this stream up to lsn (idle progress). */
  advance: 4,
  /** The run stops here (one-shot drained, or interrupted): no more items. */
  end: 5,
  /** The replication failed; data = JSON of the WIT error. */
  error: 6,
} as const;
export type ItemKind = (typeof ITEM_KINDS)[keyof typeof ITEM_KINDS];

/** Items packed into transferable arrays: item i is kinds[i], lsns[i], data[ends[i-1]..ends[i]). */
export interface ItemBatch {
  readonly kinds: Uint8Array;
  readonly lsns: BigInt64Array;
  readonly ends: Uint32Array;
  readonly data: Uint8Array;
}

/**
 * Accumulates items for one stream until they are posted. Message bytes are copied in at once:
 * the replication connection's parser reuses its buffer, so a view of it is only valid until the
 * next socket read.
 */
export class ItemPacker {
  #kinds: number[] = [];
  #lsns: bigint[] = [];
  #ends: number[] = [];
  #data = new Uint8Array(new ArrayBuffer(64 * 1024));
  #bytes = 0;

  get count(): number {
    return this.#kinds.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(kind: ItemKind, lsn: bigint, data?: Uint8Array): void {
    this.#kinds.push(kind);
    this.#lsns.push(lsn);
    if (data && data.length > 0) {
      if (this.#bytes + data.length > this.#data.length) {
        const grown = new Uint8Array(new ArrayBuffer(Math.max(this.#data.length * 2, this.#bytes + data.length)));
        grown.set(this.#data.subarray(0, this.#bytes));
        this.#data = grown;
      }
      this.#data.set(data, this.#bytes);
      this.#bytes += data.length;
    }
    this.#ends.push(this.#bytes);
  }

  /** The packed items (in an unpooled buffer of their own, safe to transfer); resets. */
  take(): ItemBatch {
    const data = this.#data.slice(0, this.#bytes);
    const batch: ItemBatch = {
      kinds: Uint8Array.from(this.#kinds),
      lsns: BigInt64Array.from(this.#lsns),
      ends: Uint32Array.from(this.#ends),
      data,
    };
    this.#kinds = [];
    this.#lsns = [];
    this.#ends = [];
    this.#bytes = 0;
    if (this.#data.length > 4 * 1024 * 1024) this.#data = new Uint8Array(new ArrayBuffer(64 * 1024));
    return batch;
  }
}

/** The transfer list of a packed batch. */
export function transferablesOf(batch: ItemBatch): ArrayBuffer[] {
  return [batch.kinds.buffer, batch.lsns.buffer, batch.ends.buffer, batch.data.buffer] as ArrayBuffer[];
}

import type { MessagePort } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import {
  COLUMN_FILL_METADATA,
  COLUMN_IDENTITY_METADATA,
  RENAMED_COLUMNS_METADATA,
  type PgReplicationOpen,
  type WitConnectorError,
} from '@rapidbyte/sdk/contract';
import {
  ChangeBatchBuilder,
  COLUMN_CATALOG_SQL,
  catalogColumnsFromRows,
  followShapeChange,
  formatLsn,
  parseColumnIdentity,
  parseLsn,
  parsePgOutput,
  type ColumnId,
  type PgOutputMessage,
} from '../replication/index.js';
import { connectPgClient } from '../runtime/connect-pg-client.js';
import { checkHost, type CapabilityPolicy } from '../runtime/capability-policy.js';
import type { FrameTable } from '../runtime/frame-table.js';
import type { PgTraffic } from '../runtime/pg-capability.js';
import type { ReplicationItem, ReplicationRequests } from '../runtime/replication-requests.js';
import { cdcError } from './cdc-error.js';
import { OidAliasText } from './oid-alias-text.js';
import { ITEM_KINDS, type HubToWorker, type ItemBatch, type WorkerToHub } from './hub-protocol.js';

/** At most this long between two checkpoints while changes keep coming (bounds the lag). */
const CHECKPOINT_EVERY_MS = 1000;
/**
 * When the changes run out at a transaction boundary, the checkpoint waits this long after the
 * previous one for more transactions to join it: a trickle of small source transactions commits
 * at the destination a few at a time instead of one by one (each destination commit costs a
 * transaction, a watermark write and several guest steps). Bounds the latency it adds.
 */
const CHECKPOINT_LINGER_MS = 100;
/** Credits go back to the hub in batches of this many items. */
const CREDIT_BATCH = 4096;

interface Cursor {
  batch: ItemBatch;
  index: number;
}

/**
 * The worker side of one CDC stream: talks to the main thread's replication hub over a
 * MessagePort, decodes the pgoutput messages of its relation into Arrow change frames
 * (ChangeBatchBuilder) and puts a checkpoint after whole transactions only. A frame may end inside
 * a big transaction; the checkpoint then follows a later frame, so the destination commits whole
 * source transactions (and replays them idempotently after a crash).
 */
export class ReplicationCapability implements ReplicationRequests {
  readonly #replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly #queue: Cursor[] = [];
  #wake: (() => void) | undefined;
  #nextId = 1;
  #open: PgReplicationOpen | undefined;
  #builder: ChangeBatchBuilder | undefined;
  /** Names for the stream's OID-alias values (columns the source carries as text), when it has any. */
  #aliases: OidAliasText | undefined;
  #relationIds = new Set<number>();
  /** The stream's columns' catalog identity (attnum, type), as the source saw them at its start; undefined: not followed. */
  #identity: ReadonlyMap<string, ColumnId> | undefined;
  /** A shape change whose catalog lookup is due before the next change is decoded. */
  #shapeChange: { readonly relationId: number; readonly before: readonly string[] } | undefined;
  #start = 0n;
  /** End LSN of the last transaction taken in (duplicates after a hub restart are skipped). */
  #lastEnd = 0n;
  #lastCheckpoint = 0n;
  #lastCheckpointAt = performance.now();
  #txFinal: bigint | undefined;
  #skippingTx = false;
  #atBoundary = true;
  #ended = false;
  #consumed = 0;
  readonly #out: ReplicationItem[] = [];
  /** Open and past its snapshot: on SIGINT it drains to a transaction boundary instead of aborting. */
  streaming = false;

  constructor(
    readonly port: MessagePort | undefined,
    readonly policy: CapabilityPolicy,
    readonly frames: FrameTable,
    readonly maxBatchBytes: number,
    /** The source's counters: change rows and bytes count as read. */
    readonly traffic: PgTraffic,
    /** The hub may have the source stream large in-progress transactions (see `WorkerSwitches.streamTransactions`). */
    readonly streamTransactions = true,
    /** How long a checkpoint waits for more transactions when the changes run out (see CHECKPOINT_LINGER_MS). */
    readonly checkpointLingerMs = CHECKPOINT_LINGER_MS,
  ) {
    port?.on('message', (m: HubToWorker) => this.#onMessage(m));
  }

  async open(options: PgReplicationOpen): Promise<number> {
    if (!this.port)
      throw cdcError(
        'REPLICATION_UNAVAILABLE',
        `${options.streamName}: logical replication is only available to sync_mode cdc streams`,
        options.streamName,
      );
    if (this.#open)
      throw cdcError(
        'STREAM_ATTACHED',
        `${options.streamName}: this session already opened its replication stream`,
        options.streamName,
      );
    checkHost(this.policy, options.connect.host, options.connect.port);
    await this.#request({
      t: 'open',
      id: 0,
      attach: {
        connect: options.connect,
        slot: options.slot,
        publication: options.publication,
        stream: options.streamName,
        schemaName: options.schemaName,
        tableName: options.tableName,
        startLsn: options.startLsn,
        slotCreateTimeoutMs: options.slotCreateTimeoutMs,
        ...(this.streamTransactions ? {} : { streamTransactions: false }),
      },
    });
    this.#open = options;
    this.#identity = parseColumnIdentity(options.schemaMetadata.find(([k]) => k === COLUMN_IDENTITY_METADATA)?.[1]);
    this.#builder = new ChangeBatchBuilder({
      stream: options.streamName,
      columns: options.columns.map((c, i) => ({ ...c, attTypeOid: options.relationTypeOids[i] })),
      ignoreColumns: options.ignoreColumns,
      key: options.key,
      mode: options.coalesce ? 'upsert' : 'append',
      batchRows: options.batchRows > 0 ? options.batchRows : 65536,
      maxBatchBytes: this.maxBatchBytes,
      metadata: options.schemaMetadata.filter(([k]) => k !== COLUMN_IDENTITY_METADATA),
    });
    this.#aliases = OidAliasText.forStream(
      options.connect,
      options.streamName,
      options.columns,
      options.relationTypeOids,
    );
    if (options.startLsn !== undefined) {
      this.#start = parseLsn(options.startLsn);
      this.#lastCheckpoint = this.#start;
      this.streaming = true;
    }
    return 1;
  }

  async snapshot(handle: number): Promise<{ name: string; lsn: string }> {
    this.#check(handle);
    const snap = (await this.#request({ t: 'snapshot', id: 0 })) as { name: string; lsn: string };
    this.#start = parseLsn(snap.lsn);
    this.#lastCheckpoint = this.#start;
    return snap;
  }

  async snapshotDone(handle: number): Promise<void> {
    this.#check(handle);
    await this.#request({ t: 'snapshot-done', id: 0 });
    this.streaming = true;
  }

  /** The next change frame, checkpoint or end of this stream's changes. */
  async next(handle: number): Promise<ReplicationItem> {
    this.#check(handle);
    for (;;) {
      const out = this.#out.shift();
      if (out) return out;
      if (this.#ended) return { end: true };
      const item = this.#take();
      if (!item) {
        this.#credit(true);
        const pending = this.#atBoundary && this.#lastEnd > this.#lastCheckpoint;
        const linger = pending ? this.checkpointLingerMs - (performance.now() - this.#lastCheckpointAt) : 0;
        if (pending && linger <= 0) this.#checkpointHere(this.#lastEnd);
        else await this.#itemsOrTimeout(pending ? linger : undefined);
        continue;
      }
      const aliases = this.#aliases;
      if (aliases && (item.kind === ITEM_KINDS.relation || item.kind === ITEM_KINDS.change)) {
        const message = parsePgOutput(Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength));
        await aliases.prepare(message);
        this.#apply(item.kind, item.lsn, item.data, message);
      } else {
        this.#apply(item.kind, item.lsn, item.data);
      }
      if (this.#shapeChange) await this.#followShapeChange(this.#shapeChange);
    }
  }

  /**
   * The table changed shape (a Relation message): asks the source catalog which added columns are
   * renamed ones (same attnum and type) and what rows already in the table hold in the others, and
   * tells the destination in the metadata of the frames of the new shape. A failed lookup tells
   * nothing (the destination then sees a dropped and an added column, as pgoutput does).
   */
  async #followShapeChange(change: { readonly relationId: number; readonly before: readonly string[] }): Promise<void> {
    this.#shapeChange = undefined;
    const builder = this.#builder as ChangeBatchBuilder;
    const known = this.#identity;
    if (!known || !this.#open) return;
    const after = builder.columns.map((c) => c.name);
    let client;
    try {
      client = await connectPgClient(this.#open.connect);
      const result = await client.query({ text: COLUMN_CATALOG_SQL, values: [change.relationId], rowMode: 'array' });
      const followed = followShapeChange(
        known,
        change.before,
        after,
        catalogColumnsFromRows(result.rows as unknown[][]),
      );
      builder.mergeMetadata(RENAMED_COLUMNS_METADATA, followed.renamed);
      builder.mergeMetadata(COLUMN_FILL_METADATA, followed.fill);
      this.#identity = followed.known;
    } catch {
      // the catalog could not be read: the frames go on without the history
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  /** Resolves when the hub sends more, or after `ms` when given. */
  async #itemsOrTimeout(ms: number | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (ms !== undefined) timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#wake = undefined;
  }

  /** The destination committed up to this checkpoint (its payload JSON). */
  committed(payload: string): void {
    if (!this.#open) return;
    const lsn = (JSON.parse(payload) as { lsn?: unknown } | null)?.lsn;
    if (typeof lsn === 'string') this.#post({ t: 'committed', lsn });
  }

  close(): void {
    void this.#aliases?.close();
    if (!this.port) return;
    this.#post({ t: 'detach' });
    this.port.close();
  }

  /** Applies one item; `parsed`: its message already parsed (and prepared by the OID-alias names). */
  #apply(kind: number, lsn: bigint, data: Uint8Array, parsed?: PgOutputMessage): void {
    const builder = this.#builder as ChangeBatchBuilder;
    switch (kind) {
      case ITEM_KINDS.relation: {
        const msg = parsed ?? parsePgOutput(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        if (msg.tag === 'relation') {
          this.#relationIds.add(msg.relationId);
          // the table changed shape: the rows of the old shape go out as their own frame
          const names = builder.columns.map((c) => c.name);
          const columns = builder.columns;
          const before = builder.relation(msg);
          if (before) this.#emit(before);
          if (builder.columns !== columns) this.#shapeChange = { relationId: msg.relationId, before: names };
        }
        return;
      }
      case ITEM_KINDS.change: {
        if (this.#txFinal !== lsn) {
          this.#txFinal = lsn;
          // whole transactions before the start point (snapshot or committed LSN), or already taken in
          this.#skippingTx = lsn < this.#start || lsn < this.#lastEnd;
        }
        if (this.#skippingTx) return;
        this.#atBoundary = false;
        const raw = parsed ?? parsePgOutput(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        const msg = this.#aliases ? this.#aliases.rewrite(raw) : raw;
        if (msg.tag === 'insert') builder.insert(msg, lsn);
        else if (msg.tag === 'update') builder.update(msg, lsn);
        else if (msg.tag === 'delete') builder.delete(msg, lsn);
        else if (msg.tag === 'truncate') {
          if (msg.relationIds.some((id) => this.#relationIds.has(id)))
            for (const batch of builder.truncate(lsn)) this.#emit(batch);
          return;
        }
        if (builder.full) this.#emitPending();
        return;
      }
      case ITEM_KINDS.commit:
        this.#txFinal = undefined;
        if (this.#skippingTx) {
          this.#skippingTx = false;
          return;
        }
        this.#lastEnd = lsn;
        this.#atBoundary = true;
        if (builder.full || performance.now() - this.#lastCheckpointAt >= CHECKPOINT_EVERY_MS)
          this.#checkpointHere(lsn);
        return;
      case ITEM_KINDS.advance:
        if (this.#atBoundary && lsn > this.#lastEnd) this.#lastEnd = lsn;
        if (this.#atBoundary && this.#lastEnd > this.#lastCheckpoint) this.#checkpointHere(this.#lastEnd);
        return;
      case ITEM_KINDS.end:
        if (!this.#atBoundary) {
          throw Object.assign(
            new Error(
              `${this.#open?.streamName}: interrupted inside a source transaction; its changes roll back and are read again next run`,
            ),
            {
              kind: 'permanent',
              code: 'CANCELLED',
            },
          );
        }
        if (this.#lastEnd > this.#lastCheckpoint || builder.rows > 0)
          this.#checkpointHere(this.#lastEnd > this.#lastCheckpoint ? this.#lastEnd : this.#lastCheckpoint);
        this.#ended = true;
        return;
      case ITEM_KINDS.error: {
        const wit = JSON.parse(new TextDecoder().decode(data)) as WitConnectorError;
        throw Object.assign(new Error(wit.message), wit);
      }
      default:
        return;
    }
  }

  /** Flushes the pending frame and puts a checkpoint at `lsn` (a transaction boundary). */
  #checkpointHere(lsn: bigint): void {
    this.#emitPending();
    this.#out.push({ checkpoint: JSON.stringify({ mode: 'cdc', lsn: formatLsn(lsn) }) });
    this.#lastCheckpoint = lsn;
    this.#lastCheckpointAt = performance.now();
  }

  #emitPending(): void {
    const batch = this.#builder?.flush();
    if (batch) this.#emit(batch);
  }

  #emit(batch: RecordBatch): void {
    this.traffic.rowsOut += batch.numRows;
    this.#out.push({ frame: this.frames.add(batch) });
  }

  #take(): { kind: number; lsn: bigint; data: Uint8Array } | undefined {
    for (;;) {
      const cursor = this.#queue[0];
      if (!cursor) return undefined;
      const { batch } = cursor;
      if (cursor.index >= batch.kinds.length) {
        this.#queue.shift();
        continue;
      }
      const i = cursor.index++;
      this.#consumed += 1;
      this.traffic.bytesOut += (batch.ends[i] as number) - (i === 0 ? 0 : (batch.ends[i - 1] as number));
      if (this.#consumed >= CREDIT_BATCH) this.#credit(false);
      const from = i === 0 ? 0 : (batch.ends[i - 1] as number);
      return {
        kind: batch.kinds[i] as number,
        lsn: batch.lsns[i] as bigint,
        data: batch.data.subarray(from, batch.ends[i]),
      };
    }
  }

  #credit(force: boolean): void {
    if (this.#consumed === 0 || (!force && this.#consumed < CREDIT_BATCH)) return;
    this.#post({ t: 'credit', n: this.#consumed });
    this.#consumed = 0;
  }

  #onMessage(m: HubToWorker): void {
    if (m.t === 'reply') {
      const pending = this.#replies.get(m.id);
      this.#replies.delete(m.id);
      if (!pending) return;
      if (m.error) pending.reject(Object.assign(new Error(m.error.message), m.error));
      else pending.resolve(m.value);
      return;
    }
    this.#queue.push({ batch: { kinds: m.kinds, lsns: m.lsns, ends: m.ends, data: m.data }, index: 0 });
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #request(message: WorkerToHub & { id: number }): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#replies.set(id, { resolve, reject });
      this.#post({ ...message, id } as WorkerToHub);
    });
  }

  #post(message: WorkerToHub): void {
    this.port?.postMessage(message);
  }

  #check(handle: number): void {
    if (handle !== 1 || !this.#open) throw cdcError('BAD_HANDLE', `unknown replication stream ${handle}`);
  }
}

import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { RecordBatch, Schema } from 'apache-arrow';
import type { Readable, Writable } from 'node:stream';
import type { PgColumn, PgConnectOptions, PgQueryResult } from '@rapidbyte/sdk/contract';
import { CopyBinaryDecoder, CopyBinaryEncoder } from '../codecs/index.js';
import { checkHost, type CapabilityPolicy } from './capability-policy.js';
import { connectPgClient } from './connect-pg-client.js';
import type { FrameTable } from './frame-table.js';

/** Counters the capability keeps for the run summary. */
export interface PgTraffic {
  rowsOut: number;
  bytesOut: number;
  rowsIn: number;
  bytesIn: number;
}

interface CopyOutState {
  readonly iterator: AsyncIterator<Buffer>;
  readonly decoder: CopyBinaryDecoder;
  readonly pending: RecordBatch[];
  readonly metadata: Map<string, string>;
  ended: boolean;
  rows: number;
}

interface CopyInState {
  readonly stream: Writable & { rowCount?: number };
  readonly encoder: CopyBinaryEncoder;
  error: Error | undefined;
  rows: number;
}

/**
 * The Postgres capability of one connector instance: connections, queries, and COPY BINARY
 * streams decoded to / encoded from Arrow frames in the host. Every connect is checked against
 * the instance's `allowed_hosts`.
 */
export class PgCapability {
  readonly #clients = new Map<number, pg.Client>();
  readonly #copyOut = new Map<number, CopyOutState>();
  readonly #copyIn = new Map<number, CopyInState>();
  #nextId = 1;
  readonly traffic: PgTraffic = { rowsOut: 0, bytesOut: 0, rowsIn: 0, bytesIn: 0 };

  constructor(
    readonly policy: CapabilityPolicy,
    readonly frames: FrameTable,
    readonly maxBatchBytes: number,
  ) {}

  async connect(options: PgConnectOptions): Promise<number> {
    checkHost(this.policy, options.host, options.port);
    const client = await connectPgClient(options);
    client.on('error', () => {
      /* surfaced by the next request on this connection */
    });
    const id = this.#nextId++;
    this.#clients.set(id, client);
    return id;
  }

  #client(id: number): pg.Client {
    const client = this.#clients.get(id);
    if (!client) throw Object.assign(new Error(`unknown connection ${id}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    return client;
  }

  async query(conn: number, sql: string, params: (string | undefined)[]): Promise<PgQueryResult> {
    const result = await this.#client(conn).query({
      text: sql,
      values: params.map((p) => (p === undefined ? null : p)),
      rowMode: 'array',
      types: { getTypeParser: () => (v: string) => v },
    });
    const rows = (result.rows as unknown[][]).map((row) => row.map((v) => (v === null ? undefined : String(v))));
    return {
      command: result.command ?? '',
      rowCount: BigInt(result.rowCount ?? 0),
      columns: result.fields.map((f) => f.name),
      rows,
    };
  }

  copyOut(conn: number, sql: string, columns: PgColumn[], batchRows: number, metadata: [string, string][]): number {
    const stream = this.#client(conn).query(copyStreams.to(sql)) as unknown as Readable;
    const id = this.#nextId++;
    this.#copyOut.set(id, {
      iterator: stream[Symbol.asyncIterator](),
      decoder: new CopyBinaryDecoder(columns, { batchRows: batchRows > 0 ? batchRows : 65536, maxBatchBytes: this.maxBatchBytes }),
      pending: [],
      metadata: new Map(metadata),
      ended: false,
      rows: 0,
    });
    return id;
  }

  /** The next decoded frame of a COPY TO stream, or the total row count at its end. */
  async copyOutNext(id: number): Promise<{ frame: bigint } | { end: number }> {
    const state = this.#copyOut.get(id);
    if (!state) throw Object.assign(new Error(`unknown copy stream ${id}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    while (state.pending.length === 0 && !state.ended) {
      const next = await state.iterator.next();
      if (next.done) {
        state.pending.push(...state.decoder.finish());
        state.ended = true;
      } else {
        this.traffic.bytesOut += next.value.length;
        state.pending.push(...state.decoder.push(next.value));
      }
    }
    const batch = state.pending.shift();
    if (!batch) {
      this.#copyOut.delete(id);
      return { end: state.rows };
    }
    state.rows += batch.numRows;
    this.traffic.rowsOut += batch.numRows;
    const withMeta = state.metadata.size > 0 ? new RecordBatch(new Schema(batch.schema.fields, state.metadata), batch.data) : batch;
    return { frame: this.frames.add(withMeta) };
  }

  copyIn(conn: number, sql: string, columns: PgColumn[]): number {
    const stream = this.#client(conn).query(copyStreams.from(sql)) as unknown as Writable & { rowCount?: number };
    const state: CopyInState = { stream, encoder: new CopyBinaryEncoder(columns), error: undefined, rows: 0 };
    stream.on('error', (error: Error) => {
      state.error = error;
    });
    const id = this.#nextId++;
    this.#copyIn.set(id, state);
    this.#write(state, state.encoder.header());
    return id;
  }

  async copyInWrite(id: number, frame: bigint): Promise<number> {
    const state = this.#copyInState(id);
    const batch = this.frames.take(frame);
    const bytes = state.encoder.encode(batch);
    state.rows += batch.numRows;
    this.traffic.rowsIn += batch.numRows;
    this.traffic.bytesIn += bytes.length;
    if (!this.#write(state, bytes)) await this.#drain(state);
    if (state.error) throw state.error;
    return batch.numRows;
  }

  async copyInEnd(id: number): Promise<number> {
    const state = this.#copyInState(id);
    this.#copyIn.delete(id);
    this.#write(state, state.encoder.trailer());
    await new Promise<void>((resolve, reject) => {
      if (state.error) return reject(state.error);
      state.stream.once('error', reject);
      state.stream.once('finish', () => resolve());
      state.stream.end();
    });
    return state.stream.rowCount ?? state.rows;
  }

  async close(conn: number): Promise<void> {
    const client = this.#clients.get(conn);
    this.#clients.delete(conn);
    await client?.end().catch(() => undefined);
  }

  /** Ends every connection (session end, failure or cancellation). */
  async closeAll(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#copyIn.clear();
    this.#copyOut.clear();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }

  #copyInState(id: number): CopyInState {
    const state = this.#copyIn.get(id);
    if (!state) throw Object.assign(new Error(`unknown copy stream ${id}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    if (state.error) throw state.error;
    return state;
  }

  #write(state: CopyInState, bytes: Uint8Array): boolean {
    if (state.error) throw state.error;
    return state.stream.write(bytes);
  }

  #drain(state: CopyInState): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        state.stream.off('drain', done);
        state.stream.off('error', done);
        resolve();
      };
      state.stream.once('drain', done);
      state.stream.once('error', done);
    });
  }
}

import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Schema } from 'apache-arrow';
import type { Writable } from 'node:stream';
import type { PgColumn, PgConnectOptions, PgQueryResult } from '@rapidbyte/sdk/contract';
import { CopyBinaryEncoder, FIRST_NORMAL_OBJECT_ID, pgColumnToArrowField } from '../codecs/index.js';
import { CopyRowSplitter, type CopyRowsChunk } from '../codecs/copy-row-splitter.js';
import { CopyOutReader } from './copy-out-reader.js';
import { CopyRowsFrame } from './copy-rows-frame.js';
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
  readonly reader: CopyOutReader;
  readonly splitter: CopyRowSplitter;
  readonly pending: CopyRowsChunk[];
  readonly columns: readonly PgColumn[];
  /** The frames' schema: the decoder's fields for the columns, with the source's metadata. */
  readonly schema: Schema;
  ended: boolean;
  rows: number;
}

/** `$1` = array type OIDs (text[]) -> each one's element type OID. */
const ELEMENT_OIDS_SQL =
  'SELECT oid::int8::text AS oid, typelem::int8::text AS elem FROM pg_type WHERE oid = ANY($1::oid[]) AND typelem <> 0';

interface CopyInState {
  readonly stream: Writable & { rowCount?: number };
  encoder: CopyBinaryEncoder;
  readonly columns: readonly PgColumn[];
  /** Element OIDs (by array type OID) of the user-defined array columns, asked before the COPY. */
  elementOids: Promise<ReadonlyMap<number, number>> | undefined;
  error: Error | undefined;
  rows: number;
}

/** Options of {@link PgCapability}. */
export interface PgCapabilityOptions {
  /**
   * COPY rows into columns of the same built-in types pass through undecoded (default true;
   * false decodes every frame to Arrow and encodes it again — the path transforms take anyway).
   */
  readonly copyPassthrough?: boolean;
  /** `sslmode=prefer`: remember a server's TLS refusal for the next connection (default true). */
  readonly rememberTlsRefusal?: boolean;
  /** Largest CopyData message a COPY FROM sends (default {@link COPY_DATA_BYTES}). */
  readonly copyDataBytes?: number;
}

/**
 * The Postgres capability of one connector instance: connections, queries, and COPY BINARY
 * streams in the host. A COPY TO yields frames of whole COPY rows (`CopyRowsFrame`), decoded into
 * Arrow only when something needs the values; a COPY FROM writes such rows verbatim when its
 * columns have the source's types, else encodes the frame's Arrow batch. Every connect is checked
 * against the instance's `allowed_hosts`.
 */

/**
 * Rows of the first frame of every COPY out: the destination starts loading after ~4k rows
 * instead of a whole batch (65,536 rows: ~0.15 s of reading); the frames after it are full size.
 */
export const FIRST_BATCH_ROWS = 4096;

/**
 * Largest CopyData message of a COPY FROM: a frame larger than this goes out in pieces of it.
 * Measured (1M rows, 180.6 MB COPY binary, frames of 8 MiB sent to a bare heap, 9 interleaved
 * rounds on a shared 2-core machine, median of per-round ratios to one message per frame): 16 KiB
 * 1.08x, 64 KiB 1.08x, 256 KiB 1.01x, 1 MiB 0.98x: within the noise (per-round ratios 0.6-1.8x),
 * so frames up to the default `max_batch_bytes` stay one message each (fewest writes). The cap
 * keeps a larger `max_batch_bytes` from building messages near the server's 1 GB limit.
 */
export const COPY_DATA_BYTES = 8 << 20;

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
    readonly options: PgCapabilityOptions = {},
  ) {}

  async connect(options: PgConnectOptions): Promise<number> {
    checkHost(this.policy, options.host, options.port);
    const client = await connectPgClient(
      options,
      this.options.rememberTlsRefusal === false ? { rememberTlsRefusal: false } : {},
    );
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
    const reader = new CopyOutReader(sql);
    this.#client(conn).query(reader as unknown as pg.Submittable);
    const id = this.#nextId++;
    this.#copyOut.set(id, {
      reader,
      splitter: new CopyRowSplitter({
        fieldCount: columns.length,
        batchRows: batchRows > 0 ? batchRows : 65536,
        maxBatchBytes: this.maxBatchBytes,
        firstBatchRows: FIRST_BATCH_ROWS,
      }),
      pending: [],
      columns,
      schema: new Schema(
        columns.map((c) => pgColumnToArrowField(c)),
        new Map(metadata),
      ),
      ended: false,
      rows: 0,
    });
    return id;
  }

  /** The next frame of a COPY TO stream (whole COPY rows), or the total row count at its end. */
  async copyOutNext(id: number): Promise<{ frame: bigint } | { end: number }> {
    const state = this.#copyOut.get(id);
    if (!state) throw Object.assign(new Error(`unknown copy stream ${id}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    while (state.pending.length === 0 && !state.ended) {
      const piece = await state.reader.read();
      if (piece === null) {
        state.pending.push(...state.splitter.finish());
        state.ended = true;
      } else {
        this.traffic.bytesOut += piece.length;
        state.pending.push(...state.splitter.push(piece));
      }
    }
    const chunk = state.pending.shift();
    if (!chunk) {
      this.#copyOut.delete(id);
      return { end: state.rows };
    }
    state.rows += chunk.rows;
    this.traffic.rowsOut += chunk.rows;
    const frame = new CopyRowsFrame(state.schema, state.columns, chunk.rows, chunk.bytes);
    return { frame: this.frames.add(this.options.copyPassthrough === false ? frame.toBatch() : frame) };
  }

  copyIn(conn: number, sql: string, columns: PgColumn[]): number {
    const client = this.#client(conn);
    // queued ahead of the COPY on the same connection; awaited before the first frame is encoded
    const userArrays = columns
      .filter((c) => c.typeCategory === 'A' && c.typeOid >= FIRST_NORMAL_OBJECT_ID)
      .map((c) => String(c.typeOid));
    const elementOids =
      userArrays.length === 0
        ? undefined
        : client
            .query<{ oid: string; elem: string }>(ELEMENT_OIDS_SQL, [userArrays])
            .then((r) => new Map(r.rows.map((row) => [Number(row.oid), Number(row.elem)] as const)))
            // the COPY right behind it reports whatever went wrong on the connection
            .catch(() => new Map<number, number>());
    const stream = client.query(copyStreams.from(sql)) as unknown as Writable & { rowCount?: number };
    const state: CopyInState = {
      stream,
      encoder: new CopyBinaryEncoder(columns),
      columns,
      elementOids,
      error: undefined,
      rows: 0,
    };
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
    const taken = this.frames.take(frame);
    if (state.elementOids) {
      const elements = await state.elementOids;
      state.elementOids = undefined;
      state.encoder = new CopyBinaryEncoder(
        state.columns.map((c) => (elements.has(c.typeOid) ? { ...c, elementOid: elements.get(c.typeOid) } : c)),
      );
    }
    const rows = taken.numRows;
    let bytes: Uint8Array;
    try {
      bytes =
        taken instanceof CopyRowsFrame && taken.passesThrough(state.columns)
          ? taken.rows
          : state.encoder.encode(taken instanceof CopyRowsFrame ? taken.toBatch() : taken);
    } catch (error) {
      // end the COPY with CopyFail: left open, the connection would queue the connector's next
      // statement (its ROLLBACK) behind a COPY that never ends, and the stream would hang
      this.#abortCopyIn(id, state, error as Error);
      throw error;
    }
    state.rows += rows;
    this.traffic.rowsIn += rows;
    this.traffic.bytesIn += bytes.length;
    // one CopyData message per write; the subarrays share the frame's memory, and the stream
    // buffers them all, as it did the whole frame (one wait for drain per frame)
    const size = this.options.copyDataBytes ?? COPY_DATA_BYTES;
    let flowing = true;
    for (let at = 0; at < bytes.length; at += size)
      flowing = this.#write(state, bytes.subarray(at, Math.min(at + size, bytes.length)));
    if (!flowing) await this.#drain(state);
    if (state.error) throw state.error;
    return rows;
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

  #abortCopyIn(id: number, state: CopyInState, error: Error): void {
    this.#copyIn.delete(id);
    state.error ??= error;
    state.stream.on('error', () => undefined);
    state.stream.destroy(error);
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

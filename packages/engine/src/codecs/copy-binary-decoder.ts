import { RecordBatch, Schema, Struct, makeData, type Data, type Field } from 'apache-arrow';
import { INITIAL_ROW_CAPACITY, type ColumnDecoder } from './column-decoder.js';
import { compileRowDecoder, type RowDecodeState, type RowDecoder } from './compile-row-decoder.js';
import { COPY_BINARY_FLAG_OIDS, COPY_BINARY_HEADER_LENGTH, COPY_BINARY_SIGNATURE } from './copy-binary-signature.js';
import { CopyFormatError, type CopyFormatErrorCode } from './copy-format-error.js';
import { makeColumnDecoder } from './make-column-decoder.js';
import { PendingUnit } from './pending-unit.js';
import { pgColumnToArrowField } from './pg-arrow-type.js';
import type { PgColumn } from './pg-column.js';

/** Options of {@link CopyBinaryDecoder}. */
export interface CopyBinaryDecoderOptions {
  /** Rows per batch (default 65536). */
  readonly batchRows?: number;
  /** Approximate raw COPY bytes per batch (default 8 MiB); a batch ends after the row that reaches it. */
  readonly maxBatchBytes?: number;
}

/**
 * Decodes the output of `COPY … TO STDOUT (FORMAT binary)` into Arrow record batches, one pass
 * per row with a row loop generated for the schema. Chunks may be split anywhere; only the row
 * that straddles two chunks is copied into a side buffer.
 */
export class CopyBinaryDecoder {
  readonly #decoders: ColumnDecoder[];
  readonly #decodeRows: RowDecoder;
  readonly #batchRows: number;
  readonly #maxBatchBytes: number;
  readonly #schema: Schema;
  readonly #st: RowDecodeState = { rows: 0, bytes: 0, trailer: false };
  readonly #pending: PendingUnit;
  #headerDone = false;
  #batchesEmitted = 0;
  #rowsDecoded = 0;
  /** Stream offset of the first byte of the chunk being decoded. */
  #streamOffset = 0;
  #failure: CopyFormatError | undefined;

  constructor(columns: readonly PgColumn[], options?: CopyBinaryDecoderOptions) {
    this.#batchRows = Math.max(1, Math.floor(options?.batchRows ?? 65536));
    this.#maxBatchBytes = Math.max(1, options?.maxBatchBytes ?? 8 * 1024 * 1024);
    const capacity = Math.min(this.#batchRows, INITIAL_ROW_CAPACITY);
    this.#decoders = columns.map((c) => makeColumnDecoder(c, capacity));
    this.#decodeRows = compileRowDecoder(this.#decoders);
    this.#schema = new Schema(columns.map((c) => pgColumnToArrowField(c)));
    this.#pending = new PendingUnit(columns.length);
  }

  /** Rows decoded so far (in batches already returned or still being filled). */
  get rowsDecoded(): number {
    return this.#rowsDecoded + this.#st.rows;
  }

  /** Stream bytes consumed so far (header, whole rows, trailer; not the bytes of a row still incomplete). */
  get bytesDecoded(): number {
    return this.#streamOffset;
  }

  /** Feeds one chunk of COPY output (any split, even 1 byte). Returns the batches completed by it. */
  push(chunk: Uint8Array): RecordBatch[] {
    if (this.#failure !== undefined) throw this.#failure;
    const out: RecordBatch[] = [];
    try {
      this.#push(chunk, out);
    } catch (e) {
      throw this.#fail(e);
    }
    return out;
  }

  /**
   * End of stream: returns the last partial batch, or one zero-row batch if the stream had no
   * rows at all (so the schema travels). Throws CopyFormatError when the stream ended mid-row or
   * without header or trailer.
   */
  finish(): RecordBatch[] {
    if (this.#failure !== undefined) throw this.#failure;
    const at = this.#streamOffset;
    if (!this.#headerDone)
      throw this.#fail(this.#error('TRUNCATED', 'COPY stream ended before its header was complete', at));
    if (this.#pending.length > 0)
      throw this.#fail(
        this.#error('TRUNCATED', `COPY stream ended inside a row (${this.#pending.length} bytes of it)`, at),
      );
    if (!this.#st.trailer) throw this.#fail(this.#error('TRUNCATED', 'COPY stream ended without its trailer', at));
    if (this.#st.rows > 0 || this.#batchesEmitted === 0) return [this.#flush()];
    return [];
  }

  #push(chunk: Uint8Array, out: RecordBatch[]): void {
    if (this.#st.trailer && chunk.length > 0) {
      throw this.#error('DATA_AFTER_TRAILER', `${chunk.length} bytes after the COPY trailer`, this.#streamOffset);
    }
    let pos = 0;
    const end = chunk.length;
    if (!this.#headerDone || this.#pending.length > 0) {
      pos = this.#completePending(chunk, out);
      if (!this.#headerDone || this.#pending.length > 0) return;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const st = this.#st;
    while (pos < end) {
      const next = this.#run(chunk, view, pos, end, this.#batchRows, this.#maxBatchBytes);
      this.#streamOffset += next - pos;
      pos = next;
      if (st.rows < this.#batchRows && st.bytes < this.#maxBatchBytes) break; // trailer, incomplete row or end
      out.push(this.#flush());
    }
    if (pos < end) {
      if (st.trailer)
        throw this.#error('DATA_AFTER_TRAILER', `${end - pos} bytes after the COPY trailer`, this.#streamOffset);
      this.#pending.append(chunk.subarray(pos));
    }
  }

  /** Completes the header or straddling row from the side buffer; returns the chunk bytes used. */
  #completePending(chunk: Uint8Array, out: RecordBatch[]): number {
    const pending = this.#pending;
    let unit: number;
    try {
      unit = this.#headerDone ? pending.rowLength(chunk) : pending.headerLength(chunk);
    } catch (e) {
      throw this.#rebase(e, this.#streamOffset);
    }
    if (unit < 0) {
      pending.append(chunk);
      return chunk.length;
    }
    const used = unit - pending.length;
    pending.append(chunk.subarray(0, used));
    const buf = pending.bytes();
    if (!this.#headerDone) {
      this.#checkHeader(buf);
      this.#headerDone = true;
      this.#streamOffset += unit;
    } else {
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.#run(buf, view, 0, unit, this.#st.rows + 1, Number.POSITIVE_INFINITY);
      this.#streamOffset += unit;
      if (this.#st.rows >= this.#batchRows || this.#st.bytes >= this.#maxBatchBytes) out.push(this.#flush());
    }
    pending.clear();
    return used;
  }

  /** Runs the row loop over `buf[pos, end)`; `buf[pos]` is the next unconsumed stream byte. */
  #run(buf: Uint8Array, view: DataView, pos: number, end: number, maxRows: number, maxBytes: number): number {
    try {
      return this.#decodeRows(buf, view, pos, end, maxRows, maxBytes, this.#st);
    } catch (e) {
      throw this.#rebase(e, this.#streamOffset - pos);
    }
  }

  /** A CopyFormatError with `offset` relative to a buffer starting at stream offset `base`, made absolute. */
  #rebase(e: unknown, base: number): unknown {
    if (e instanceof CopyFormatError && e.row === undefined)
      return this.#error(e.code, e.message, base + e.offset, e.column);
    return e;
  }

  #checkHeader(buf: Uint8Array): void {
    for (let i = 0; i < COPY_BINARY_SIGNATURE.length; i++) {
      if (buf[i] !== COPY_BINARY_SIGNATURE[i])
        throw this.#error('BAD_HEADER', 'not a COPY BINARY stream (bad signature)', i);
    }
    const flags = new DataView(buf.buffer, buf.byteOffset, COPY_BINARY_HEADER_LENGTH).getInt32(11);
    if ((flags & COPY_BINARY_FLAG_OIDS) !== 0)
      throw this.#error('BAD_HEADER', 'COPY BINARY WITH OIDS is not supported', 11);
  }

  #flush(): RecordBatch {
    const length = this.#st.rows;
    const parts = this.#decoders.map((d) => d.flush(length));
    let schema = this.#schema;
    if (parts.some((p, i) => p.field !== schema.fields[i])) schema = new Schema(parts.map((p) => p.field));
    const children: Data[] = parts.map((p) => p.data);
    const data = makeData({ type: new Struct(schema.fields as Field[]), length, nullCount: 0, children });
    this.#rowsDecoded += length;
    this.#st.rows = 0;
    this.#st.bytes = 0;
    this.#batchesEmitted++;
    return new RecordBatch(schema, data);
  }

  #error(code: CopyFormatErrorCode, message: string, offset: number, column?: string): CopyFormatError {
    return new CopyFormatError(code, message, { offset, row: this.rowsDecoded, column });
  }

  /** Makes the decoder unusable after a format error: every later call throws it again. */
  #fail(e: unknown): unknown {
    if (e instanceof CopyFormatError) this.#failure = e;
    return e;
  }
}

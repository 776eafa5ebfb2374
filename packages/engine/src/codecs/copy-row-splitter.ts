import { COPY_BINARY_FLAG_OIDS, COPY_BINARY_HEADER_LENGTH, COPY_BINARY_SIGNATURE } from './copy-binary-signature.js';
import { CopyFormatError, type CopyFormatErrorCode } from './copy-format-error.js';

/** Whole COPY BINARY rows, back to back, without the stream's header and trailer. */
export interface CopyRowsChunk {
  readonly rows: number;
  readonly bytes: Uint8Array;
}

/** Options of {@link CopyRowSplitter}: where a chunk ends, as for the decoder's batches. */
export interface CopyRowSplitterOptions {
  readonly fieldCount: number;
  /** Rows per chunk (default 65536). */
  readonly batchRows?: number;
  /** Approximate row bytes per chunk (default 8 MiB); a chunk ends after the row that reaches it. */
  readonly maxBatchBytes?: number;
  /**
   * Rows of the first chunk only (default `batchRows`): a small first chunk reaches the
   * destination sooner (its COPY starts while the source is still reading the rest).
   */
  readonly firstBatchRows?: number;
}

/**
 * Cuts the output of `COPY … TO STDOUT (FORMAT binary)` into chunks of whole rows without decoding
 * a value: it checks the header, walks each row's field lengths, and copies the row bytes into the
 * chunk being filled. Input may be split anywhere. The chunks are what a destination COPY FROM of
 * the same column types accepts verbatim (after its own header), and what `CopyBinaryDecoder`
 * decodes into Arrow when something needs the values.
 */
export class CopyRowSplitter {
  readonly #fieldCount: number;
  readonly #batchRows: number;
  readonly #firstBatchRows: number;
  readonly #maxBatchBytes: number;
  /**
   * Bytes received but not yet part of a whole unit (header, row or trailer): `#carry[#carryStart,
   * #carryEnd)`. Pieces are appended in place (the buffer grows geometrically), so a row that
   * spans many socket reads costs one copy of each piece, not a re-join of everything so far.
   */
  #carry: Uint8Array = new Uint8Array(0);
  #carryStart = 0;
  #carryEnd = 0;
  /** Carried bytes needed before the unit being received can be walked further (its next field boundary). */
  #need = 0;
  /** Buffer allocations for the carry and the chunk (a measure of growth for tests). */
  #allocations = 0;
  readonly #initialOut: number;
  #out: Uint8Array;
  #outLength = 0;
  #outRows = 0;
  #headerDone = false;
  #trailer = false;
  #chunksEmitted = 0;
  #rowsDone = 0;
  /** Stream offset of `#carry[0]`. */
  #offset = 0;

  constructor(options: CopyRowSplitterOptions) {
    this.#fieldCount = options.fieldCount;
    this.#batchRows = Math.max(1, Math.floor(options.batchRows ?? 65536));
    this.#firstBatchRows = Math.min(
      this.#batchRows,
      Math.max(1, Math.floor(options.firstBatchRows ?? this.#batchRows)),
    );
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 8 * 1024 * 1024);
    // room for a whole chunk and the row that crosses the limit, so a chunk is rarely re-grown
    this.#initialOut = Math.min(this.#maxBatchBytes, 1 << 28) + (1 << 16);
    this.#out = new Uint8Array(this.#initialOut);
  }

  /** Buffers allocated so far (carry and chunk): grows with the logarithm of the largest row, not with the pieces. */
  get allocations(): number {
    return this.#allocations;
  }

  /** Feeds one piece of the stream; returns the chunks it completed. */
  push(piece: Uint8Array): CopyRowsChunk[] {
    if (piece.length === 0) return [];
    if (this.#trailer)
      throw this.#error('DATA_AFTER_TRAILER', `${piece.length} bytes after the COPY trailer`, this.#offset);
    const done: CopyRowsChunk[] = [];
    let buf = piece;
    if (this.#carryEnd > this.#carryStart) {
      this.#carryAppend(piece);
      // the unit being received cannot be walked further yet: no scan, no copy beyond the piece's
      if (this.#carryEnd - this.#carryStart < this.#need) return done;
      buf = this.#carry.subarray(this.#carryStart, this.#carryEnd);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    if (!this.#headerDone) {
      const header = this.#headerLength(buf, view);
      if (header < 0) return this.#keep(buf, 0, done);
      pos = header;
      this.#headerDone = true;
    }
    // rows are copied into the chunk in runs (one copy per piece and chunk, not per row)
    let runStart = pos;
    this.#need = 0;
    while (pos < buf.length) {
      if (buf.length - pos < 2) {
        this.#need = 2;
        break;
      }
      const fields = view.getInt16(pos);
      if (fields === -1) {
        this.#trailer = true;
        this.#append(buf, runStart, pos);
        runStart = pos += 2;
        if (pos < buf.length)
          throw this.#error(
            'DATA_AFTER_TRAILER',
            `${buf.length - pos} bytes after the COPY trailer`,
            this.#offset + pos,
          );
        break;
      }
      if (fields !== this.#fieldCount)
        throw this.#error(
          'BAD_FIELD_COUNT',
          `row has ${fields} fields, expected ${this.#fieldCount}`,
          this.#offset + pos,
        );
      let p = pos + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (p + 4 > buf.length) {
          complete = false;
          break;
        }
        const len = view.getInt32(p);
        if (len < -1) throw this.#error('BAD_FIELD_LENGTH', `field length ${len} in column ${f}`, this.#offset + p);
        p += 4 + (len > 0 ? len : 0);
      }
      if (!complete || p > buf.length) {
        // relative to the row's start, which is where the carry will begin
        this.#need = (complete ? p : p + 4) - pos;
        break;
      }
      pos = p;
      this.#outRows += 1;
      if (
        this.#outRows >= (this.#chunksEmitted === 0 ? this.#firstBatchRows : this.#batchRows) ||
        this.#outLength + (pos - runStart) >= this.#maxBatchBytes
      ) {
        this.#append(buf, runStart, pos);
        runStart = pos;
        done.push(this.#flush());
      }
    }
    this.#append(buf, runStart, pos);
    return this.#keep(buf, pos, done);
  }

  /**
   * End of the stream: the last partial chunk, or one zero-row chunk when the stream had no rows
   * (so a schema still travels). Throws when the stream ended inside the header or a row, or
   * without its trailer.
   */
  finish(): CopyRowsChunk[] {
    if (!this.#headerDone)
      throw this.#error('TRUNCATED', 'COPY stream ended before its header was complete', this.#offset);
    if (this.#carryEnd > this.#carryStart)
      throw this.#error(
        'TRUNCATED',
        `COPY stream ended inside a row (${this.#carryEnd - this.#carryStart} bytes of it)`,
        this.#offset,
      );
    if (!this.#trailer) throw this.#error('TRUNCATED', 'COPY stream ended without its trailer', this.#offset);
    return this.#outRows > 0 || this.#chunksEmitted === 0 ? [this.#flush()] : [];
  }

  /**
   * Appends `piece` after the carried bytes. The carried bytes move to the buffer's front first
   * when whole units were consumed before them (each byte moves at most once: it then stays at the
   * front until its row is complete); the buffer doubles when too small.
   */
  #carryAppend(piece: Uint8Array): void {
    const carried = this.#carryEnd - this.#carryStart;
    const length = carried + piece.length;
    if (length > this.#carry.length) {
      const grown = new Uint8Array(Math.max(length, this.#carry.length * 2, 1 << 16));
      this.#allocations += 1;
      grown.set(this.#carry.subarray(this.#carryStart, this.#carryEnd), 0);
      this.#carry = grown;
    } else if (this.#carryStart > 0) {
      this.#carry.copyWithin(0, this.#carryStart, this.#carryEnd);
    }
    this.#carryStart = 0;
    this.#carryEnd = carried;
    this.#carry.set(piece, this.#carryEnd);
    this.#carryEnd = length;
  }

  /** `buf[pos…]` is an incomplete unit: keep it (a copy when `buf` is the caller's piece, which it may reuse). */
  #keep(buf: Uint8Array, pos: number, done: CopyRowsChunk[]): CopyRowsChunk[] {
    this.#offset += pos;
    if (buf.buffer === this.#carry.buffer && buf.byteOffset === this.#carry.byteOffset + this.#carryStart) {
      this.#carryStart += pos;
    } else {
      this.#carryStart = 0;
      this.#carryEnd = 0;
      if (pos < buf.length) this.#carryAppend(buf.subarray(pos));
    }
    if (this.#carryStart === this.#carryEnd) {
      this.#carryStart = 0;
      this.#carryEnd = 0;
      // after a huge row, do not hold its buffer for the rest of the stream
      if (this.#carry.length > 1 << 20) this.#carry = new Uint8Array(0);
    }
    return done;
  }

  #headerLength(buf: Uint8Array, view: DataView): number {
    if (buf.length < COPY_BINARY_HEADER_LENGTH) {
      for (let i = 0; i < Math.min(buf.length, COPY_BINARY_SIGNATURE.length); i++) {
        if (buf[i] !== COPY_BINARY_SIGNATURE[i])
          throw this.#error('BAD_HEADER', 'not a COPY BINARY stream (bad signature)', i);
      }
      return -1;
    }
    for (let i = 0; i < COPY_BINARY_SIGNATURE.length; i++) {
      if (buf[i] !== COPY_BINARY_SIGNATURE[i])
        throw this.#error('BAD_HEADER', 'not a COPY BINARY stream (bad signature)', i);
    }
    if ((view.getInt32(11) & COPY_BINARY_FLAG_OIDS) !== 0)
      throw this.#error('BAD_HEADER', 'COPY BINARY WITH OIDS is not supported', 11);
    const ext = view.getInt32(15);
    if (ext < 0) throw this.#error('BAD_HEADER', `negative header extension length ${ext}`, 15);
    const length = COPY_BINARY_HEADER_LENGTH + ext;
    return length <= buf.length ? length : -1;
  }

  /** Copies the whole rows `buf[from, to)` (already counted in `#outRows`) into the chunk. */
  #append(buf: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    const needed = this.#outLength + (to - from);
    if (needed > this.#out.length) {
      let capacity = this.#out.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      this.#allocations += 1;
      grown.set(this.#out.subarray(0, this.#outLength));
      this.#out = grown;
    }
    this.#out.set(buf.subarray(from, to), this.#outLength);
    this.#outLength = needed;
  }

  #flush(): CopyRowsChunk {
    // a chunk that fills most of the buffer takes it (no copy); a small one is copied out
    const full = this.#outLength * 2 >= this.#out.length;
    const chunk = {
      rows: this.#outRows,
      bytes: full ? this.#out.subarray(0, this.#outLength) : this.#out.slice(0, this.#outLength),
    };
    // the next chunk gets a buffer of the usual size, also after one grown for a huge row
    if (full || this.#out.length > this.#initialOut) {
      this.#out = new Uint8Array(this.#initialOut);
      this.#allocations += 1;
    }
    this.#rowsDone += this.#outRows;
    this.#outRows = 0;
    this.#outLength = 0;
    this.#chunksEmitted += 1;
    return chunk;
  }

  #error(code: CopyFormatErrorCode, message: string, offset: number): CopyFormatError {
    return new CopyFormatError(code, message, { offset, row: this.#rowsDone + this.#outRows });
  }
}

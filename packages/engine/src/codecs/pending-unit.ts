import { COPY_BINARY_HEADER_LENGTH } from './copy-binary-signature.js';
import { CopyFormatError } from './copy-format-error.js';

const INITIAL_CAPACITY = 4096;

/**
 * Side buffer for the one unit (header or row) that straddles chunks. It only receives the bytes
 * of that unit, so ordinary rows are decoded in place from the chunk. Lengths are read across
 * the buffer and the next chunk without joining them first. Error offsets are relative to the
 * unit's start.
 */
export class PendingUnit {
  #buf = new Uint8Array(INITIAL_CAPACITY);
  #len = 0;

  constructor(private readonly columnCount: number) {}

  get length(): number {
    return this.#len;
  }

  append(bytes: Uint8Array): void {
    const needed = this.#len + bytes.length;
    if (needed > this.#buf.length) {
      let c = this.#buf.length * 2;
      while (c < needed) c *= 2;
      const a = new Uint8Array(c);
      a.set(this.#buf.subarray(0, this.#len));
      this.#buf = a;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = needed;
  }

  /** The buffered unit. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  clear(): void {
    this.#len = 0;
    if (this.#buf.length > 1024 * 1024) this.#buf = new Uint8Array(INITIAL_CAPACITY);
  }

  #byte(chunk: Uint8Array, i: number): number {
    return i < this.#len ? this.#buf[i] : chunk[i - this.#len];
  }

  #int32(chunk: Uint8Array, i: number): number {
    return (
      (this.#byte(chunk, i) << 24) |
      (this.#byte(chunk, i + 1) << 16) |
      (this.#byte(chunk, i + 2) << 8) |
      this.#byte(chunk, i + 3)
    );
  }

  /** Length of the header (19 bytes + extension) if buffer + chunk hold it entirely, else −1. */
  headerLength(chunk: Uint8Array): number {
    const total = this.#len + chunk.length;
    if (total < COPY_BINARY_HEADER_LENGTH) return -1;
    const ext = this.#int32(chunk, 15);
    if (ext < 0) throw new CopyFormatError('BAD_HEADER', `negative header extension length ${ext}`, { offset: 15 });
    const unit = COPY_BINARY_HEADER_LENGTH + ext;
    return unit <= total ? unit : -1;
  }

  /** Length of the row (or 2-byte trailer) if buffer + chunk hold it entirely, else −1. */
  rowLength(chunk: Uint8Array): number {
    const total = this.#len + chunk.length;
    if (total < 2) return -1;
    const nf = ((this.#byte(chunk, 0) << 24) | (this.#byte(chunk, 1) << 16)) >> 16;
    if (nf === -1) return 2;
    if (nf !== this.columnCount) {
      throw new CopyFormatError('BAD_FIELD_COUNT', `row has ${nf} fields, expected ${this.columnCount}`, { offset: 0 });
    }
    let p = 2;
    for (let c = 0; c < nf; c++) {
      if (p + 4 > total) return -1;
      const len = this.#int32(chunk, p);
      if (len < -1) throw new CopyFormatError('BAD_FIELD_LENGTH', `field length ${len} in column ${c}`, { offset: p });
      p += 4 + (len > 0 ? len : 0);
    }
    return p <= total ? p : -1;
  }
}

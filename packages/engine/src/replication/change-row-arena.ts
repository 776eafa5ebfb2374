import { COPY_BINARY_HEADER_LENGTH, COPY_BINARY_SIGNATURE } from '../codecs/index.js';
import type { CdcChangeOp } from '@rapidbyte/sdk/contract';
import type { Unchanged } from './pgoutput-types.js';

/** A column value of a pending change: its binary bytes, NULL, or unchanged TOAST (written as NULL). */
export type ChangeSlot = Uint8Array | null | Unchanged;

/** Where one encoded row lives in a {@link ChangeRowArena}: bytes `[start, end)`. */
export interface ArenaRow {
  start: number;
  end: number;
}

const INITIAL_CAPACITY = 64 * 1024;
const TRAILER_LENGTH = 2;

/**
 * One frame's pending change rows, already encoded as COPY BINARY rows (stream columns, then
 * `_rb_op`, `_rb_lsn`, `_rb_unchanged`) in one growing buffer that starts with the COPY header.
 * Value bytes are copied in, so the pgoutput messages they came from can be released.
 */
export class ChangeRowArena {
  #buf: Buffer;
  #used = COPY_BINARY_HEADER_LENGTH;

  constructor(capacity = INITIAL_CAPACITY) {
    this.#buf = Buffer.allocUnsafe(Math.max(capacity, COPY_BINARY_HEADER_LENGTH + TRAILER_LENGTH));
    this.#buf.set(COPY_BINARY_SIGNATURE, 0);
    this.#buf.fill(0, COPY_BINARY_SIGNATURE.length, COPY_BINARY_HEADER_LENGTH); // flags 0, no extension
  }

  /** Bytes in use (header and rows). */
  get used(): number {
    return this.#used;
  }

  /** Appends one row; `unchanged` is the `_rb_unchanged` text (or undefined for NULL). */
  writeRow(slots: readonly ChangeSlot[], op: CdcChangeOp, lsn: bigint, unchanged: string | undefined): ArenaRow {
    const unchangedLength = unchanged === undefined ? 0 : Buffer.byteLength(unchanged, 'utf8');
    let size = 2 + (4 + 1) + (4 + 8) + 4 + unchangedLength;
    for (const s of slots) size += s instanceof Uint8Array ? 4 + s.length : 4;
    this.#reserve(size);
    const b = this.#buf;
    const start = this.#used;
    let p = start;
    b.writeInt16BE(slots.length + 3, p);
    p += 2;
    for (const s of slots) {
      if (s instanceof Uint8Array) {
        b.writeInt32BE(s.length, p);
        b.set(s, p + 4);
        p += 4 + s.length;
      } else {
        b.writeInt32BE(-1, p);
        p += 4;
      }
    }
    b.writeInt32BE(1, p);
    b[p + 4] = op.charCodeAt(0);
    b.writeInt32BE(8, p + 5);
    b.writeBigUInt64BE(lsn, p + 9);
    p += 17;
    if (unchanged === undefined) {
      b.writeInt32BE(-1, p);
      p += 4;
    } else {
      b.writeInt32BE(unchangedLength, p);
      b.write(unchanged, p + 4, 'utf8');
      p += 4 + unchangedLength;
    }
    this.#used = p;
    return { start, end: p };
  }

  /** Field `index` of the row at `start`: a view of its bytes (valid until the arena is dropped) or null. */
  field(start: number, index: number): Buffer | null {
    const b = this.#buf;
    let p = start + 2;
    for (let i = 0; i < index; i++) {
      const len = b.readInt32BE(p);
      p += 4 + (len > 0 ? len : 0);
    }
    const len = b.readInt32BE(p);
    return len < 0 ? null : b.subarray(p + 4, p + 4 + len);
  }

  /**
   * The complete COPY BINARY stream of `rows` in their order (header, rows, trailer). When the rows
   * are exactly the arena's rows in writing order, this is the arena itself (no copy).
   */
  copyStream(rows: readonly ArenaRow[]): Buffer {
    let contiguous = true;
    let at = COPY_BINARY_HEADER_LENGTH;
    let size = COPY_BINARY_HEADER_LENGTH + TRAILER_LENGTH;
    for (const r of rows) {
      if (r.start !== at) contiguous = false;
      at = r.end;
      size += r.end - r.start;
    }
    if (contiguous && at === this.#used) {
      this.#reserve(TRAILER_LENGTH);
      this.#buf.writeInt16BE(-1, this.#used);
      return this.#buf.subarray(0, this.#used + TRAILER_LENGTH);
    }
    const out = Buffer.allocUnsafe(size);
    this.#buf.copy(out, 0, 0, COPY_BINARY_HEADER_LENGTH);
    let p = COPY_BINARY_HEADER_LENGTH;
    for (const r of rows) p += this.#buf.copy(out, p, r.start, r.end);
    out.writeInt16BE(-1, p);
    return out;
  }

  /** A new arena holding only `rows` (in order); updates their positions in place. Drops dead rows. */
  compact(rows: readonly ArenaRow[]): ChangeRowArena {
    let live = 0;
    for (const r of rows) live += r.end - r.start;
    const next = new ChangeRowArena(Math.max(INITIAL_CAPACITY, (COPY_BINARY_HEADER_LENGTH + live) * 2));
    for (const r of rows) {
      const len = r.end - r.start;
      next.#reserve(len);
      this.#buf.copy(next.#buf, next.#used, r.start, r.end);
      r.start = next.#used;
      r.end = next.#used + len;
      next.#used += len;
    }
    return next;
  }

  #reserve(n: number): void {
    const need = this.#used + n;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = Buffer.allocUnsafe(cap);
    this.#buf.copy(grown, 0, 0, this.#used);
    this.#buf = grown;
  }
}

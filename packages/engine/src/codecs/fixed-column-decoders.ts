import { Binary, Field, makeData, type Data, type DataType } from 'apache-arrow';
import { BaseColumnDecoder } from './column-decoder.js';
import { pgFieldMetadata } from './pg-arrow-type.js';
import type { PgColumn } from './pg-column.js';
import { VarColumnDecoder } from './var-column-decoder.js';
import {
  INT32_MAX,
  INT32_MIN,
  PG_EPOCH_DAYS,
  PG_EPOCH_MICROS_HI,
  PG_EPOCH_MICROS_LO,
  TWO32,
  isInt64Infinity,
} from './pg-epoch.js';

function makeFixed(
  field: Field,
  data: ArrayLike<unknown>,
  v: { length: number; nullCount: number; nullBitmap: Uint8Array | undefined },
): Data {
  return makeData({ type: field.type as DataType, data: data as never, ...v } as never);
}

/** int2 → Int16. */
export class Int16ColumnDecoder extends BaseColumnDecoder {
  #values = new Int16Array(this.cap);
  protected resize(c: number): void {
    const a = new Int16Array(c);
    a.set(this.#values);
    this.#values = a;
  }
  put(view: DataView, _buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 2) this.#values[i] = view.getInt16(off);
    else if (len === -1) this.markNull(i);
    else this.badLength(len, 2, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const values = this.#values.subarray(0, length);
    this.#values = new Int16Array(this.cap);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/** 4-byte values copied bit-exact (int4 → Int32, oid → Uint32, float4 → Float32 incl. NaN payloads). */
export class Bits32ColumnDecoder extends BaseColumnDecoder {
  #values = new Int32Array(this.cap);
  constructor(
    column: ConstructorParameters<typeof BaseColumnDecoder>[0],
    field: Field,
    capacity: number,
    private readonly view32: 'int32' | 'uint32' | 'float32',
  ) {
    super(column, field, capacity);
  }
  protected resize(c: number): void {
    const a = new Int32Array(c);
    a.set(this.#values);
    this.#values = a;
  }
  put(view: DataView, _buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 4) this.#values[i] = view.getInt32(off);
    else if (len === -1) this.markNull(i);
    else this.badLength(len, 4, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const b = this.#values.buffer;
    const values =
      this.view32 === 'int32'
        ? new Int32Array(b, 0, length)
        : this.view32 === 'uint32'
          ? new Uint32Array(b, 0, length)
          : new Float32Array(b, 0, length);
    this.#values = new Int32Array(this.cap);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/** date → Date32 (days since 1970); ±infinity (int32 max/min) kept exactly. */
export class DateColumnDecoder extends BaseColumnDecoder {
  #values = new Int32Array(this.cap);
  protected resize(c: number): void {
    const a = new Int32Array(c);
    a.set(this.#values);
    this.#values = a;
  }
  put(view: DataView, _buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 4) {
      const d = view.getInt32(off);
      if (d === INT32_MAX || d === INT32_MIN) this.#values[i] = d;
      else if (d + PG_EPOCH_DAYS >= INT32_MAX)
        this.fail('VALUE_OUT_OF_RANGE', `date ${d} out of Date32 range`, off - 4);
      else this.#values[i] = d + PG_EPOCH_DAYS;
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 4, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const values = this.#values.subarray(0, length);
    this.#values = new Int32Array(this.cap);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/**
 * 8-byte values copied bit-exact as two int32 halves, no BigInt per value (int8 → Int64,
 * float8 → Float64 incl. NaN payloads, time → Time64 µs).
 */
export class Bits64ColumnDecoder extends BaseColumnDecoder {
  #words = new Int32Array(this.cap * 2);
  constructor(
    column: ConstructorParameters<typeof BaseColumnDecoder>[0],
    field: Field,
    capacity: number,
    private readonly view64: 'int64' | 'float64',
  ) {
    super(column, field, capacity);
  }
  protected resize(c: number): void {
    const a = new Int32Array(c * 2);
    a.set(this.#words);
    this.#words = a;
  }
  put(view: DataView, _buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 8) {
      const w = this.#words;
      w[2 * i + 1] = view.getInt32(off);
      w[2 * i] = view.getInt32(off + 4);
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 8, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const b = this.#words.buffer;
    const values = this.view64 === 'int64' ? new BigInt64Array(b, 0, length) : new Float64Array(b, 0, length);
    this.#words = new Int32Array(this.cap * 2);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/**
 * timestamp / timestamptz → Timestamp(µs) since 1970: 64-bit add with carry on 32-bit halves.
 * Postgres timestamps reach 294276 AD, Arrow's int64 µs since 1970 only 294247 AD: when a value
 * lies beyond, this batch's column falls back to Binary of the raw Postgres values (values decoded
 * so far are shifted back to their Postgres form, the field gets `rapidbyte.pg_encoding =
 * 'binary'`), as numeric does beyond Decimal128; the next batch starts as Timestamp again.
 */
export class TimestampColumnDecoder extends BaseColumnDecoder {
  #words = new Int32Array(this.cap * 2);
  #raw: VarColumnDecoder | null = null;
  readonly #rawField: Field;
  readonly #scratch = new Uint8Array(8);
  readonly #scratchView = new DataView(this.#scratch.buffer);

  constructor(column: PgColumn, field: Field, capacity: number) {
    super(column, field, capacity);
    this.#rawField = new Field(field.name, new Binary(), field.nullable, pgFieldMetadata(column, true));
  }

  protected resize(c: number): void {
    const a = new Int32Array(c * 2);
    a.set(this.#words);
    this.#words = a;
  }
  put(view: DataView, buf: Uint8Array, off: number, len: number): void {
    if (this.#raw !== null) {
      if (len !== 8 && len !== -1) this.badLength(len, 8, off - 4);
      this.#raw.put(view, buf, off, len);
      this.n++;
      return;
    }
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 8) {
      const hi = view.getInt32(off);
      const lo = view.getInt32(off + 4);
      const w = this.#words;
      if (isInt64Infinity(hi, lo)) {
        w[2 * i] = lo;
        w[2 * i + 1] = hi;
      } else {
        const sum = (lo >>> 0) + PG_EPOCH_MICROS_LO;
        const carry = sum >= TWO32 ? 1 : 0;
        const nhi = hi + PG_EPOCH_MICROS_HI + carry;
        const nlo = sum | 0;
        if (nhi > INT32_MAX || isInt64Infinity(nhi, nlo)) {
          this.#switchToRaw(i);
          (this.#raw as VarColumnDecoder | null)?.put(view, buf, off, len);
          this.n = i + 1;
          return;
        }
        w[2 * i] = nlo;
        w[2 * i + 1] = nhi;
      }
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 8, off - 4);
    this.n = i + 1;
  }

  /** Writes rows [0, count) back as Postgres timestamp binary into a Binary column; later rows go there raw. */
  #switchToRaw(count: number): void {
    const raw = new VarColumnDecoder(this.column, this.#rawField, Math.max(this.cap, 1), false);
    const validity = this.validity;
    const w = this.#words;
    const out = this.#scratchView;
    for (let j = 0; j < count; j++) {
      if (validity !== null && (validity[j >> 3] & (1 << (j & 7))) === 0) {
        raw.put(out, this.#scratch, 0, -1);
        continue;
      }
      let lo = w[2 * j] as number;
      let hi = w[2 * j + 1] as number;
      if (!isInt64Infinity(hi, lo)) {
        const diff = (lo >>> 0) - PG_EPOCH_MICROS_LO;
        const borrow = diff < 0 ? 1 : 0;
        hi = hi - PG_EPOCH_MICROS_HI - borrow;
        lo = (diff + borrow * TWO32) | 0;
      }
      out.setInt32(0, hi);
      out.setInt32(4, lo);
      raw.put(out, this.#scratch, 0, 8);
    }
    this.#raw = raw;
  }

  flush(length: number): { field: Field; data: Data } {
    const raw = this.#raw;
    if (raw !== null) {
      this.#raw = null;
      this.takeValidity(length);
      return raw.flush(length);
    }
    const values = new BigInt64Array(this.#words.buffer, 0, length);
    this.#words = new Int32Array(this.cap * 2);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/** bool → Bool (bit-packed). */
export class BoolColumnDecoder extends BaseColumnDecoder {
  #bits = new Uint8Array((this.cap + 7) >> 3);
  protected resize(c: number): void {
    const a = new Uint8Array((c + 7) >> 3);
    a.set(this.#bits);
    this.#bits = a;
  }
  put(_view: DataView, buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 1) {
      if (buf[off] !== 0) this.#bits[i >> 3] |= 1 << (i & 7);
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 1, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const values = this.#bits.subarray(0, (length + 7) >> 3);
    this.#bits = new Uint8Array((this.cap + 7) >> 3);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

/** uuid → FixedSizeBinary(16). */
export class UuidColumnDecoder extends BaseColumnDecoder {
  #bytes = new Uint8Array(this.cap * 16);
  protected resize(c: number): void {
    const a = new Uint8Array(c * 16);
    a.set(this.#bytes);
    this.#bytes = a;
  }
  put(_view: DataView, buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len === 16) {
      const b = this.#bytes;
      const at = i * 16;
      for (let j = 0; j < 16; j++) b[at + j] = buf[off + j];
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 16, off - 4);
    this.n = i + 1;
  }
  flush(length: number): { field: Field; data: Data } {
    const values = this.#bytes.subarray(0, length * 16);
    this.#bytes = new Uint8Array(this.cap * 16);
    return { field: this.field, data: makeFixed(this.field, values, this.takeValidity(length)) };
  }
}

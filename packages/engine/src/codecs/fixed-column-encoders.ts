import type { Data } from 'apache-arrow';
import { BaseColumnEncoder } from './column-encoder.js';
import {
  INT32_MAX,
  INT32_MIN,
  PG_EPOCH_DAYS,
  PG_EPOCH_MICROS_HI,
  PG_EPOCH_MICROS_LO,
  TWO32,
  isInt64Infinity,
} from './pg-epoch.js';

/** Reinterprets a typed array's bytes as int32 words (no copy). */
function words32(values: ArrayBufferView, count: number): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, count);
}

/** Int32 / Uint32 / Float32 → int4 / oid / float4, bit-exact. */
export class Bits32ColumnEncoder extends BaseColumnEncoder {
  #w: Int32Array = new Int32Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#w = words32(data.values as ArrayBufferView, rows);
    return rows * 8;
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    view.setInt32(pos, 4);
    view.setInt32(pos + 4, this.#w[i]);
    return pos + 8;
  }
}

/** Int64 / Float64 / Time64(µs) → int8 / float8 / time, bit-exact via int32 halves (no BigInt). */
export class Bits64ColumnEncoder extends BaseColumnEncoder {
  #w: Int32Array = new Int32Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#w = words32(data.values as ArrayBufferView, rows * 2);
    return rows * 12;
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    view.setInt32(pos, 8);
    view.setInt32(pos + 4, this.#w[2 * i + 1]);
    view.setInt32(pos + 8, this.#w[2 * i]);
    return pos + 12;
  }
}

/** Int16/Int32/Float32 values written as a wider (or same-width) Postgres integer or float8. */
export class WideningColumnEncoder extends BaseColumnEncoder {
  #v: ArrayLike<number> = [];
  constructor(
    column: BaseColumnEncoder['column'],
    arrowType: string,
    private readonly target: 'int2' | 'int4' | 'int8' | 'float8',
  ) {
    super(column, arrowType);
  }
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#v = data.values as ArrayLike<number>;
    return rows * 12;
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const v = this.#v[i];
    switch (this.target) {
      case 'int2':
        view.setInt32(pos, 2);
        view.setInt16(pos + 4, v);
        return pos + 6;
      case 'int4':
        view.setInt32(pos, 4);
        view.setInt32(pos + 4, v);
        return pos + 8;
      case 'int8':
        view.setInt32(pos, 8);
        view.setInt32(pos + 4, v < 0 ? -1 : 0);
        view.setInt32(pos + 8, v);
        return pos + 12;
      case 'float8':
        view.setInt32(pos, 8);
        view.setFloat64(pos + 4, v);
        return pos + 12;
    }
  }
}

/** Bool → bool. */
export class BoolColumnEncoder extends BaseColumnEncoder {
  #bits: Uint8Array = new Uint8Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#bits = data.values as Uint8Array;
    return rows * 5;
  }
  write(view: DataView, buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const j = this.offset + i;
    view.setInt32(pos, 1);
    buf[pos + 4] = (this.#bits[j >> 3] >> (j & 7)) & 1;
    return pos + 5;
  }
}

/** FixedSizeBinary(16) → uuid. */
export class UuidColumnEncoder extends BaseColumnEncoder {
  #bytes: Uint8Array = new Uint8Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#bytes = data.values as Uint8Array;
    return rows * 20;
  }
  write(view: DataView, buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    view.setInt32(pos, 16);
    const b = this.#bytes;
    const at = i * 16;
    for (let j = 0; j < 16; j++) buf[pos + 4 + j] = b[at + j];
    return pos + 20;
  }
}

/** Date32 (days since 1970) → date (days since 2000); int32 max/min ↔ ±infinity. */
export class DateColumnEncoder extends BaseColumnEncoder {
  #v: Int32Array = new Int32Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#v = data.values as Int32Array;
    return rows * 8;
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const d = this.#v[i];
    let out = d;
    if (d !== INT32_MAX && d !== INT32_MIN) {
      out = d - PG_EPOCH_DAYS;
      if (out <= INT32_MIN) this.fail('VALUE_OUT_OF_RANGE', i, `${d} days`, 'is out of the Postgres date range', pos);
    }
    view.setInt32(pos, 4);
    view.setInt32(pos + 4, out);
    return pos + 8;
  }
}

/** Timestamp(µs) since 1970 → timestamp[tz] since 2000: 64-bit subtract with borrow on int32 halves. */
export class TimestampColumnEncoder extends BaseColumnEncoder {
  #w: Int32Array = new Int32Array(0);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#w = words32(data.values as ArrayBufferView, rows * 2);
    return rows * 12;
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    let lo = this.#w[2 * i];
    let hi = this.#w[2 * i + 1];
    if (!isInt64Infinity(hi, lo)) {
      const diff = (lo >>> 0) - PG_EPOCH_MICROS_LO;
      const borrow = diff < 0 ? 1 : 0;
      const nhi = hi - PG_EPOCH_MICROS_HI - borrow;
      lo = (diff + borrow * TWO32) | 0;
      if (nhi < INT32_MIN || isInt64Infinity(nhi, lo)) {
        this.fail(
          'VALUE_OUT_OF_RANGE',
          i,
          `${(BigInt(hi) << 32n) | BigInt(this.#w[2 * i] >>> 0)} µs`,
          'is out of the Postgres timestamp range',
          pos,
        );
      }
      hi = nhi;
    }
    view.setInt32(pos, 8);
    view.setInt32(pos + 4, hi);
    view.setInt32(pos + 8, lo);
    return pos + 12;
  }
}

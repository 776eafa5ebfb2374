import type { Data, Decimal } from 'apache-arrow';
import { BaseColumnEncoder } from './column-encoder.js';
import { PG_NUMERIC_MAX_DECIMAL128_BYTES, writeDecimal128AsPgNumeric } from './pg-numeric.js';

/** Below this length a byte loop beats `subarray` + `set`. */
const SMALL_COPY = 32;

/**
 * Utf8 / Binary → the value bytes verbatim: text-like types (binary format = text bytes),
 * bytea, and raw Postgres binary values (`rapidbyte.pg_encoding = 'binary'`). With
 * `jsonbVersion`, prefixes each value with jsonb's version byte 1.
 */
export class BytesColumnEncoder extends BaseColumnEncoder {
  #offsets: Int32Array = new Int32Array(1);
  #values: Uint8Array = new Uint8Array(0);
  constructor(
    column: BaseColumnEncoder['column'],
    arrowType: string,
    private readonly jsonbVersion: boolean,
  ) {
    super(column, arrowType);
  }
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#offsets = data.valueOffsets as Int32Array;
    this.#values = data.values as Uint8Array;
    const bytes = rows === 0 ? 0 : this.#offsets[rows] - this.#offsets[0];
    return rows * (this.jsonbVersion ? 5 : 4) + bytes;
  }
  write(view: DataView, buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const start = this.#offsets[i];
    const len = this.#offsets[i + 1] - start;
    let at = pos + 4;
    if (this.jsonbVersion) {
      view.setInt32(pos, len + 1);
      buf[at++] = 1;
    } else view.setInt32(pos, len);
    const values = this.#values;
    if (len < SMALL_COPY) for (let j = 0; j < len; j++) buf[at + j] = values[start + j];
    else buf.set(values.subarray(start, start + len), at);
    return at + len;
  }
}

/**
 * Raw Postgres binary arrays whose element type has another OID at the destination (enum
 * arrays): the bytes verbatim, then the element OID of the array header (ndim, flags, element
 * OID; present in every array value, empty ones too) overwritten with the destination's.
 */
export class ArrayRetagColumnEncoder extends BytesColumnEncoder {
  constructor(
    column: BaseColumnEncoder['column'],
    arrowType: string,
    private readonly elementOid: number,
  ) {
    super(column, arrowType, false);
  }
  override write(view: DataView, buf: Uint8Array, pos: number, i: number): number {
    const end = super.write(view, buf, pos, i);
    if (end - pos >= 16) view.setUint32(pos + 12, this.elementOid);
    return end;
  }
}

/** Decimal128(p, s) → numeric (exact: base-10000 digits, weight, dscale = s). */
export class DecimalColumnEncoder extends BaseColumnEncoder {
  #words: Uint32Array = new Uint32Array(0);
  #scale = 0;
  readonly #digits = new Uint16Array(24);
  bind(data: Data, rows: number): number {
    this.bindValidity(data);
    this.#words = data.values as Uint32Array;
    this.#scale = (data.type as Decimal).scale;
    return rows * (4 + PG_NUMERIC_MAX_DECIMAL128_BYTES);
  }
  write(view: DataView, _buf: Uint8Array, pos: number, i: number): number {
    if (this.isNull(i)) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const end = writeDecimal128AsPgNumeric(this.#words, i, this.#scale, view, pos + 4, this.#digits);
    view.setInt32(pos, end - pos - 4);
    return end;
  }
}

/** A nullable target column absent from the batch: NULL in every row. */
export class NullColumnEncoder extends BaseColumnEncoder {
  bind(_data: Data | undefined, rows: number): number {
    return rows * 4;
  }
  write(view: DataView, _buf: Uint8Array, pos: number): number {
    view.setInt32(pos, -1);
    return pos + 4;
  }
}

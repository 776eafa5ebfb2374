import { Binary, Field, makeData, type Data, type Decimal } from 'apache-arrow';
import { BaseColumnDecoder } from './column-decoder.js';
import type { PgColumn } from './pg-column.js';
import { pgFieldMetadata } from './pg-arrow-type.js';
import {
  PG_NUMERIC_MAX_DECIMAL128_BYTES,
  readPgNumericAsDecimal128,
  writeDecimal128AsPgNumeric,
} from './pg-numeric.js';
import { VarColumnDecoder } from './var-column-decoder.js';

/**
 * numeric(p ≤ 38, s) → Decimal128(p, s). When a value has no Decimal128 form (NaN, ±Infinity),
 * this batch's column falls back to Binary of raw Postgres numeric values: values decoded so far
 * are re-encoded to numeric binary, the field gets `rapidbyte.pg_encoding = 'binary'`. The next
 * batch starts as Decimal128 again.
 */
export class DecimalColumnDecoder extends BaseColumnDecoder {
  #words = new Uint32Array(this.cap * 4);
  readonly #scale: number;
  #raw: VarColumnDecoder | null = null;
  readonly #rawField: Field;
  readonly #scratch = new Uint8Array(PG_NUMERIC_MAX_DECIMAL128_BYTES);
  readonly #scratchView = new DataView(this.#scratch.buffer);
  readonly #digits = new Uint16Array(24);

  constructor(column: PgColumn, field: Field, capacity: number) {
    super(column, field, capacity);
    this.#scale = (field.type as Decimal).scale;
    this.#rawField = new Field(field.name, new Binary(), field.nullable, pgFieldMetadata(column, true));
  }

  protected resize(c: number): void {
    const a = new Uint32Array(c * 4);
    a.set(this.#words);
    this.#words = a;
  }

  put(view: DataView, buf: Uint8Array, off: number, len: number): void {
    if (this.#raw !== null) {
      if (len < 8 && len !== -1) this.badLength(len, 8, off - 4);
      this.#raw.put(view, buf, off, len);
      this.n++;
      return;
    }
    const i = this.n;
    if (i === this.cap) this.grow();
    if (len >= 8) {
      if (!readPgNumericAsDecimal128(view, off, len, this.#scale, this.#words, i)) {
        this.#switchToRaw(i);
        this.#raw!.put(view, buf, off, len);
      }
    } else if (len === -1) this.markNull(i);
    else this.badLength(len, 8, off - 4);
    this.n = i + 1;
  }

  /** Re-encodes rows [0, count) as numeric binary into a Binary column; later rows go there raw. */
  #switchToRaw(count: number): void {
    const raw = new VarColumnDecoder(this.column, this.#rawField, Math.max(this.cap, 1), false);
    const validity = this.validity;
    for (let j = 0; j < count; j++) {
      if (validity !== null && (validity[j >> 3] & (1 << (j & 7))) === 0)
        raw.put(this.#scratchView, this.#scratch, 0, -1);
      else {
        const end = writeDecimal128AsPgNumeric(this.#words, j, this.#scale, this.#scratchView, 0, this.#digits);
        raw.put(this.#scratchView, this.#scratch, 0, end);
      }
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
    const values = this.#words.subarray(0, length * 4);
    this.#words = new Uint32Array(this.cap * 4);
    return {
      field: this.field,
      data: makeData({ type: this.field.type as Decimal, data: values, ...this.takeValidity(length) }),
    };
  }
}

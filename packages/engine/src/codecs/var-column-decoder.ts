import { makeData, type Data, type DataType, type Field } from 'apache-arrow';
import { BaseColumnDecoder } from './column-decoder.js';
import type { PgColumn } from './pg-column.js';

const MIN_VALUES_CAPACITY = 64 * 1024;
const MAX_RETAINED_VALUES_CAPACITY = 16 * 1024 * 1024;
/** Below this length a byte loop beats `subarray` + `set`. */
const SMALL_COPY = 32;

/**
 * Variable-length values → Utf8 / Binary (offsets + values buffers). Used for text-like types
 * (binary format = the text bytes), bytea, and raw Postgres binary values of types Arrow lacks.
 * `skipVersionByte` strips jsonb's leading version byte (must be 1).
 */
export class VarColumnDecoder extends BaseColumnDecoder {
  #offsets: Int32Array;
  #values: Uint8Array;

  constructor(
    column: PgColumn,
    field: Field,
    capacity: number,
    private readonly skipVersionByte: boolean,
  ) {
    super(column, field, capacity);
    this.#offsets = new Int32Array(capacity + 1);
    this.#values = new Uint8Array(MIN_VALUES_CAPACITY);
  }

  protected resize(c: number): void {
    const a = new Int32Array(c + 1);
    a.set(this.#offsets);
    this.#offsets = a;
  }

  #growValues(needed: number): void {
    let c = this.#values.length * 2;
    while (c < needed) c *= 2;
    const a = new Uint8Array(c);
    a.set(this.#values.subarray(0, this.#offsets[this.n]));
    this.#values = a;
  }

  put(_view: DataView, buf: Uint8Array, off: number, len: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    const offsets = this.#offsets;
    const start = offsets[i];
    if (len < 0) {
      if (len !== -1) this.fail('BAD_FIELD_LENGTH', `field length ${len}`, off - 4);
      offsets[i + 1] = start;
      this.markNull(i);
      this.n = i + 1;
      return;
    }
    if (this.skipVersionByte) {
      if (len < 1 || buf[off] !== 1)
        this.fail('BAD_VALUE', `unsupported jsonb version ${len < 1 ? 'none' : buf[off]}`, off);
      off += 1;
      len -= 1;
    }
    const end = start + len;
    if (end > this.#values.length) this.#growValues(end);
    const values = this.#values;
    if (len < SMALL_COPY) for (let j = 0; j < len; j++) values[start + j] = buf[off + j];
    else values.set(buf.subarray(off, off + len), start);
    offsets[i + 1] = end;
    this.n = i + 1;
  }

  flush(length: number): { field: Field; data: Data } {
    const valueOffsets = this.#offsets.subarray(0, length + 1);
    const used = valueOffsets[length];
    const data = this.#values.subarray(0, used);
    this.#offsets = new Int32Array(this.cap + 1);
    this.#values = new Uint8Array(Math.max(MIN_VALUES_CAPACITY, Math.min(used, MAX_RETAINED_VALUES_CAPACITY)));
    const v = this.takeValidity(length);
    return {
      field: this.field,
      data: makeData({ type: this.field.type as DataType, valueOffsets, data, ...v } as never),
    };
  }
}

import type { Data, Field } from 'apache-arrow';
import { CopyFormatError, type CopyFormatErrorCode } from './copy-format-error.js';
import type { PgColumn } from './pg-column.js';

/** Accumulates one column's values of the current batch and turns them into Arrow `Data`. */
export interface ColumnDecoder {
  readonly column: PgColumn;
  /** Appends the field value at `buf[off, off + len)`; `len` −1 is NULL. Throws CopyFormatError. */
  put(view: DataView, buf: Uint8Array, off: number, len: number): void;
  /** Hands over the values appended since the last flush (exactly `length` of them) and starts anew. */
  flush(length: number): { field: Field; data: Data };
}

/** Initial row capacity of a batch's buffers; they double up to the batch size. */
export const INITIAL_ROW_CAPACITY = 1024;

/**
 * Shared row bookkeeping: row count, capacity growth and a validity bitmap that is only
 * allocated when the first NULL arrives (valid rows cost nothing: new bits start as 1).
 */
export abstract class BaseColumnDecoder implements ColumnDecoder {
  protected n = 0;
  protected cap: number;
  protected validity: Uint8Array | null = null;
  protected nulls = 0;

  constructor(
    readonly column: PgColumn,
    protected readonly field: Field,
    capacity: number,
  ) {
    this.cap = capacity;
  }

  abstract put(view: DataView, buf: Uint8Array, off: number, len: number): void;
  abstract flush(length: number): { field: Field; data: Data };

  /** Reallocates the value buffers for `newCap` rows (called by {@link grow}). */
  protected abstract resize(newCap: number): void;

  protected grow(): void {
    const newCap = this.cap * 2;
    this.resize(newCap);
    if (this.validity !== null) {
      const v = new Uint8Array((newCap + 7) >> 3).fill(0xff);
      v.set(this.validity);
      this.validity = v;
    }
    this.cap = newCap;
  }

  protected markNull(i: number): void {
    if (this.validity === null) this.validity = new Uint8Array((this.cap + 7) >> 3).fill(0xff);
    this.validity[i >> 3] &= ~(1 << (i & 7));
    this.nulls++;
  }

  /** Validity of the flushed rows; resets row count and validity for the next batch. */
  protected takeValidity(length: number): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined } {
    const out = {
      length,
      nullCount: this.nulls,
      nullBitmap: this.validity === null ? undefined : this.validity.subarray(0, (length + 7) >> 3),
    };
    this.validity = null;
    this.nulls = 0;
    this.n = 0;
    return out;
  }

  protected fail(code: CopyFormatErrorCode, message: string, off: number): never {
    throw new CopyFormatError(code, `column "${this.column.name}" (${this.column.typeName}): ${message}`, {
      offset: off,
      column: this.column.name,
    });
  }

  protected badLength(len: number, expected: number, off: number): never {
    this.fail('BAD_FIELD_LENGTH', `field length ${len}, expected ${expected}`, off);
  }
}

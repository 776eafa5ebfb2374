import type { Data } from 'apache-arrow';
import { CopyEncodeError, type CopyEncodeErrorCode } from './copy-encode-error.js';
import type { PgColumn } from './pg-column.js';

/** Writes one target column of a batch as COPY BINARY fields (int32 length + value bytes). */
export interface ColumnEncoder {
  readonly column: PgColumn;
  /** Points the encoder at this batch's column `data` (undefined: column absent, written NULL); returns an upper bound of the bytes it will write for `rows` rows. */
  bind(data: Data | undefined, rows: number): number;
  /** Writes row `i` at `pos` (length prefix included); returns the position after it. */
  write(view: DataView, buf: Uint8Array, pos: number, i: number): number;
}

/** Validity lookup shared by the encoders: bit `offset + i` of the bitmap (Arrow slices keep the bitmap whole). */
export abstract class BaseColumnEncoder implements ColumnEncoder {
  protected hasNulls = false;
  protected bitmap: Uint8Array = new Uint8Array(0);
  protected offset = 0;

  constructor(
    readonly column: PgColumn,
    protected readonly arrowType: string,
  ) {}

  abstract bind(data: Data | undefined, rows: number): number;
  abstract write(view: DataView, buf: Uint8Array, pos: number, i: number): number;

  protected bindValidity(data: Data): void {
    this.hasNulls = data.nullCount > 0;
    this.bitmap = data.nullBitmap ?? new Uint8Array(0);
    this.offset = data.offset;
    if (this.hasNulls && !this.column.nullable) {
      const row = this.#firstNull(data.length);
      throw new CopyEncodeError(
        'NULL_IN_NOT_NULL',
        `NULL in row ${row} of column "${this.column.name}", which is NOT NULL at the destination`,
        {
          column: this.column.name,
          row,
          arrowType: this.arrowType,
          pgType: this.column.typeName,
        },
      );
    }
  }

  #firstNull(length: number): number {
    for (let i = 0; i < length; i++) if (this.isNull(i)) return i;
    return -1;
  }

  protected isNull(i: number): boolean {
    const j = this.offset + i;
    return this.hasNulls && (this.bitmap[j >> 3] & (1 << (j & 7))) === 0;
  }

  protected fail(code: CopyEncodeErrorCode, i: number, value: string, why: string, pos: number): never {
    throw new CopyEncodeError(
      code,
      `column "${this.column.name}" row ${i}: ${value} ${why} (${this.arrowType} → ${this.column.typeName})`,
      {
        column: this.column.name,
        row: i,
        offset: pos,
        value,
        arrowType: this.arrowType,
        pgType: this.column.typeName,
      },
    );
  }
}

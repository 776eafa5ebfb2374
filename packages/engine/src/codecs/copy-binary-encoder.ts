import type { Data, Field, RecordBatch } from 'apache-arrow';
import type { ColumnEncoder } from './column-encoder.js';
import { compileRowEncoder, type RowEncoder } from './compile-row-encoder.js';
import { COPY_BINARY_HEADER_LENGTH, COPY_BINARY_SIGNATURE } from './copy-binary-signature.js';
import { encoderKind, makeColumnEncoder, type EncoderKind } from './make-column-encoder.js';
import type { PgColumn } from './pg-column.js';

interface EncodePlan {
  readonly encoders: readonly ColumnEncoder[];
  readonly encodeRows: RowEncoder;
}

/**
 * Encodes Arrow record batches as `COPY … FROM STDIN (FORMAT binary)` input for the target
 * columns (in COPY column-list order). Batch fields are matched by name; the writer of each
 * column is chosen from the field's Arrow type and metadata and the target type (see
 * make-column-encoder.ts). Row loops are generated per combination of writers and cached, so a
 * batch whose numeric column fell back to raw binary gets its own loop.
 */
export class CopyBinaryEncoder {
  readonly #columns: readonly PgColumn[];
  readonly #plans = new Map<string, EncodePlan>();

  /** `columns`: target columns of the destination table, in COPY column-list order. */
  constructor(columns: readonly PgColumn[]) {
    this.#columns = columns;
  }

  /** The 19-byte COPY binary header (signature, flags 0, extension length 0). */
  header(): Uint8Array {
    const out = new Uint8Array(COPY_BINARY_HEADER_LENGTH);
    out.set(COPY_BINARY_SIGNATURE);
    return out;
  }

  /** The 2-byte trailer (−1 as int16). */
  trailer(): Uint8Array {
    return new Uint8Array([0xff, 0xff]);
  }

  /**
   * Encodes all rows of `batch` (may be zero rows). Throws CopyEncodeError naming column, row and
   * value when a value can't be represented in the target type, or a NOT NULL target column is
   * missing from the batch (missing nullable columns are written as NULL).
   */
  encode(batch: RecordBatch): Uint8Array {
    const rows = batch.numRows;
    const fields = batch.schema.fields;
    const children = batch.data.children;
    const byName = new Map<string, number>();
    fields.forEach((f, i) => {
      if (!byName.has(f.name)) byName.set(f.name, i);
    });
    const matched: (Field | undefined)[] = [];
    const data: (Data | undefined)[] = [];
    const kinds: EncoderKind[] = this.#columns.map((column) => {
      const i = byName.get(column.name);
      matched.push(i === undefined ? undefined : fields[i]);
      data.push(i === undefined ? undefined : children[i]);
      return encoderKind(column, i === undefined ? undefined : fields[i]);
    });
    const plan = this.#plan(kinds, matched);
    let size = 2 * rows;
    plan.encoders.forEach((e, c) => {
      size += e.bind(data[c], rows);
    });
    const buf = new Uint8Array(size);
    const view = new DataView(buf.buffer);
    const end = plan.encodeRows(view, buf, 0, rows);
    return buf.subarray(0, end);
  }

  #plan(kinds: readonly EncoderKind[], fields: readonly (Field | undefined)[]): EncodePlan {
    const key = kinds.join(',');
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      const encoders = this.#columns.map((c, i) => makeColumnEncoder(c, kinds[i], String(fields[i]?.type ?? 'absent')));
      plan = { encoders, encodeRows: compileRowEncoder(encoders) };
      this.#plans.set(key, plan);
    }
    return plan;
  }
}

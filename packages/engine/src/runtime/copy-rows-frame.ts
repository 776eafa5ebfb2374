import { RecordBatch, Schema } from 'apache-arrow';
import { CopyBinaryDecoder, FIRST_NORMAL_OBJECT_ID, type PgColumn } from '../codecs/index.js';
import { COPY_BINARY_SIGNATURE } from '../codecs/copy-binary-signature.js';

/** The 19-byte COPY BINARY header (no flags, no extension) and the 2-byte trailer. */
const HEADER = Uint8Array.from([...COPY_BINARY_SIGNATURE, 0, 0, 0, 0, 0, 0, 0, 0]);
const TRAILER = Uint8Array.from([0xff, 0xff]);

/**
 * A frame a source's COPY TO produced, kept as its COPY BINARY rows until something needs the
 * values. A destination COPY FROM into columns of the same built-in types writes the bytes as
 * they are (no decode, no encode: `passesThrough`); frame operations, transforms and other
 * destinations get the Arrow batch, decoded once on first use. Its schema is the one the decoder
 * declares for the columns (plus the source's metadata), known without decoding.
 */
export class CopyRowsFrame {
  #batch: RecordBatch | undefined;

  constructor(
    readonly schema: Schema,
    readonly columns: readonly PgColumn[],
    readonly numRows: number,
    /** Whole rows, back to back, without header and trailer. */
    readonly rows: Uint8Array,
  ) {}

  /** The Arrow batch of these rows (decoded on the first call). */
  toBatch(): RecordBatch {
    if (this.#batch) return this.#batch;
    const decoder = new CopyBinaryDecoder(this.columns, {
      batchRows: Math.max(1, this.numRows),
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
    });
    const batches = [
      ...decoder.push(HEADER),
      ...decoder.push(this.rows),
      ...decoder.push(TRAILER),
      ...decoder.finish(),
    ];
    const decoded = batches.find((b) => b.numRows > 0) ?? batches[0];
    if (!decoded || batches.filter((b) => b.numRows > 0).length > 1)
      throw new Error(`copy rows frame: expected one batch of ${this.numRows} rows`);
    this.#batch = new RecordBatch(new Schema(decoded.schema.fields, this.schema.metadata), decoded.data);
    return this.#batch;
  }

  /**
   * Whether a COPY FROM into `target` accepts these rows verbatim: the same number of columns with
   * the same built-in type in the same order (a type's binary format is the same in every server;
   * user-defined types are excluded because arrays and records of them carry their OIDs).
   */
  passesThrough(target: readonly PgColumn[]): boolean {
    if (target.length !== this.columns.length) return false;
    return this.columns.every((c, i) => {
      const t = target[i] as PgColumn;
      return c.typeOid === t.typeOid && c.typeOid < FIRST_NORMAL_OBJECT_ID && c.typeName === t.typeName;
    });
  }
}

/** What a frame handle holds: an Arrow batch, or COPY rows that become one when needed. */
export type Frame = RecordBatch | CopyRowsFrame;

/** The frame's Arrow batch (decoding COPY rows). */
export function frameBatch(frame: Frame): RecordBatch {
  return frame instanceof CopyRowsFrame ? frame.toBatch() : frame;
}

import { DataType, makeData, RecordBatch, Struct, type Data } from 'apache-arrow';
import { FrameOpError } from './frame-op-error.js';

const bit = (bytes: Uint8Array, i: number): boolean => (((bytes[i >> 3] as number) >> (i & 7)) & 1) === 1;

/** The rows `rows` (ascending indices) of one column, any flat Arrow type, copied into new buffers. */
export function takeData(data: Data, rows: readonly number[]): Data {
  const type = data.type as DataType;
  const length = rows.length;
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  rows.forEach((r, i) => {
    if (data.nullCount === 0 || data.getValid(r)) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
    else nullCount++;
  });
  const base = { type, length, nullCount, nullBitmap: nullCount > 0 ? bitmap : undefined } as const;
  if (DataType.isBool(type)) {
    const src = data.values as Uint8Array;
    const bits = new Uint8Array((length + 7) >> 3);
    rows.forEach((r, i) => {
      if (bit(src, data.offset + r)) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    });
    return makeData({ ...base, type, data: bits });
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const src = data.values as Uint8Array;
    const out = new Int32Array(length + 1);
    rows.forEach(
      (r, i) =>
        (out[i + 1] =
          (out[i] as number) + (offsets[data.offset + r + 1] as number) - (offsets[data.offset + r] as number)),
    );
    const bytes = new Uint8Array(out[length] as number);
    rows.forEach((r, i) =>
      bytes.set(
        src.subarray(offsets[data.offset + r] as number, offsets[data.offset + r + 1] as number),
        out[i] as number,
      ),
    );
    return makeData({ ...base, type, valueOffsets: out, data: bytes } as Parameters<typeof makeData>[0]) as Data;
  }
  const values = data.values as
    | (ArrayLike<number> & {
        constructor: new (n: number) => { set(a: ArrayLike<number>, o: number): void } & ArrayLike<number>;
        subarray(a: number, b: number): ArrayLike<number>;
      })
    | undefined;
  if (!values || type.children?.length || DataType.isDictionary(type) || DataType.isUnion(type)) {
    throw new FrameOpError('UNSUPPORTED_TYPE', `cannot select rows of a ${String(type)} column`);
  }
  const stride = data.stride;
  const out = new values.constructor(length * stride);
  rows.forEach((r, i) =>
    out.set(values.subarray((data.offset + r) * stride, (data.offset + r + 1) * stride), i * stride),
  );
  return makeData({ ...base, data: out } as Parameters<typeof makeData>[0]) as Data;
}

/** A new batch holding only the given rows (ascending indices) of `batch`, same schema. */
export function takeRows(batch: RecordBatch, rows: readonly number[]): RecordBatch {
  if (rows.length === batch.numRows) return batch;
  const children = batch.data.children.map((child) => takeData(child, rows));
  return new RecordBatch(
    batch.schema,
    makeData({ type: new Struct(batch.schema.fields), length: rows.length, nullCount: 0, children }),
  );
}

/** A new batch with column `index` replaced by `column` (and its field by `field`). */
export function replaceColumn<T extends RecordBatch>(
  batch: T,
  index: number,
  field: T['schema']['fields'][number],
  column: Data,
): RecordBatch {
  const fields = batch.schema.fields.map((f, i) => (i === index ? field : f));
  const children = batch.data.children.map((c, i) => (i === index ? column : c));
  const schema = new (
    batch.schema.constructor as new (f: typeof fields, m: Map<string, string>) => RecordBatch['schema']
  )(fields, batch.schema.metadata);
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
}

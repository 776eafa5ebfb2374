import { DataType, makeData, type Data, type RecordBatch } from 'apache-arrow';
import { cellJson, readColumn, type CellValue } from './column-values.js';
import { FrameOpError } from './frame-op-error.js';
import { takeData } from './take-rows.js';

/** A row as `frame-records` renders it: values by column, as in a `frame-filter` failure's `record`. */
export type FrameRecord = Record<string, string | number | boolean | null>;

/** Checks `[offset, offset + length)` lies inside a frame of `rows` rows. */
function checkRange(op: string, rows: number, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > rows
  ) {
    throw new FrameOpError(
      'BAD_RANGE',
      `${op}: rows [${offset}, ${offset + length}) are outside the frame's ${rows} rows`,
    );
  }
}

/**
 * `frame-slice`: rows `[offset, offset + length)` of a batch as a new batch sharing its buffers
 * (Arrow slices copy nothing). The whole range is the batch itself.
 */
export function sliceFrame(batch: RecordBatch, offset: number, length: number): RecordBatch {
  checkRange('frame-slice', batch.numRows, offset, length);
  if (offset === 0 && length === batch.numRows) return batch;
  return batch.slice(offset, offset + length);
}

/**
 * `frame-records`: rows `[offset, offset + count)` as JSON-ready objects, values rendered as in a
 * `frame-filter` failure's `record` (int8 beyond 2^53 and decimals as strings, timestamps as ISO
 * text, NULL as null).
 */
export function frameRecords(batch: RecordBatch, offset: number, count: number): FrameRecord[] {
  checkRange('frame-records', batch.numRows, offset, count);
  const rows = Array.from({ length: count }, (_, i) => offset + i);
  const columns = batch.data.children.map((child) => recordCells(child as Data, rows));
  const fields = batch.schema.fields;
  const out: FrameRecord[] = [];
  for (let row = 0; row < count; row++) {
    const record: FrameRecord = {};
    fields.forEach((f, i) => (record[f.name] = cellJson((columns[i] as CellValue[])[row] as CellValue)));
    out.push(record);
  }
  return out;
}

/**
 * The cells of `rows` of one column: the rows are copied out first (`takeData` honours a slice's
 * offset, `readColumn` does not); a nested column of an unsliced frame is read whole instead.
 */
function recordCells(sliced: Data, rows: readonly number[]): CellValue[] {
  const data = rebased(sliced);
  try {
    return readColumn(takeData(data, rows));
  } catch (error) {
    if (!(error instanceof FrameOpError) || data.offset !== 0) throw error;
    const all = readColumn(data);
    return rows.map((r) => all[r] as CellValue);
  }
}

/** Bits `[offset, offset + length)` of a bitmap, as a bitmap of their own. */
function shiftBits(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++)
    if ((((bits[(offset + i) >> 3] as number) >> ((offset + i) & 7)) & 1) === 1)
      out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

/**
 * A flat column of an Arrow slice with offset 0: Arrow's `slice` rebases the value (and offset)
 * buffers but keeps the validity bitmap (and boolean values) whole with `offset`, while
 * `readColumn` / `takeData` expect unsliced data. Nested columns of a slice are not supported.
 */
function rebased(data: Data): Data {
  if (data.offset === 0) return data;
  const type = data.type as DataType;
  if (type.children?.length || DataType.isDictionary(type) || DataType.isUnion(type)) {
    throw new FrameOpError('UNSUPPORTED_TYPE', `frame-records: cannot read a ${String(type)} column of a frame slice`);
  }
  const nullBitmap =
    data.nullCount > 0 && data.nullBitmap ? shiftBits(data.nullBitmap, data.offset, data.length) : undefined;
  const values = DataType.isBool(type)
    ? shiftBits(data.values as Uint8Array, data.offset, data.length)
    : (data.values as ArrayBufferView);
  return makeData({
    type,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap,
    data: values,
    valueOffsets: data.valueOffsets as ArrayBufferView | undefined,
  } as Parameters<typeof makeData>[0]) as Data;
}

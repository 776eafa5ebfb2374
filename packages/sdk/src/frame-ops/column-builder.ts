import {
  Bool,
  DataType,
  DateDay,
  Decimal,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  TimestampMicrosecond,
  Utf8,
  type Data,
} from 'apache-arrow';

/** The Arrow column types a frame operation produces, with the JS value each row holds. */
export type BuiltColumn =
  | { readonly type: Int16 | Int32 | Int64; readonly values: readonly (bigint | null)[] }
  | { readonly type: Float64; readonly values: readonly (number | null)[] }
  | { readonly type: Utf8; readonly values: readonly (string | null)[] }
  | { readonly type: Bool; readonly values: readonly (boolean | null)[] }
  /** Unscaled values. */
  | { readonly type: Decimal; readonly values: readonly (bigint | null)[] }
  /** Microseconds since the epoch. */
  | { readonly type: TimestampMicrosecond; readonly values: readonly (bigint | null)[] }
  /** Days since the epoch. */
  | { readonly type: DateDay; readonly values: readonly (number | null)[] };

function nullBitmap(values: readonly unknown[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap, nullCount };
}

/** Builds one Arrow column (`Data`) in a single pass over the values. */
export function buildColumn(column: BuiltColumn): Data {
  const { type, values } = column;
  const length = values.length;
  const { bitmap, nullCount } = nullBitmap(values);
  if (type instanceof Utf8 || DataType.isUtf8(type)) {
    // two passes into one buffer: byte lengths, then writes (no per-value allocation)
    const strings = values as readonly (string | null)[];
    const offsets = new Int32Array(length + 1);
    for (let i = 0; i < length; i++)
      offsets[i + 1] =
        (offsets[i] as number) + (strings[i] === null ? 0 : Buffer.byteLength(strings[i] as string, 'utf8'));
    const bytes = Buffer.allocUnsafe(offsets[length] as number);
    for (let i = 0; i < length; i++)
      if (strings[i] !== null) bytes.write(strings[i] as string, offsets[i] as number, 'utf8');
    return makeData({
      type: type as Utf8,
      length,
      nullCount,
      nullBitmap: bitmap,
      valueOffsets: offsets,
      data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    });
  }
  if (DataType.isBool(type)) {
    const bits = new Uint8Array((length + 7) >> 3);
    (values as readonly (boolean | null)[]).forEach((v, i) => {
      if (v) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    });
    return makeData({ type: type as Bool, length, nullCount, nullBitmap: bitmap, data: bits });
  }
  if (DataType.isDecimal(type)) {
    const words = new Uint32Array(length * 4);
    (values as readonly (bigint | null)[]).forEach((v, i) => {
      let u = BigInt.asUintN(128, v ?? 0n);
      for (let w = 0; w < 4; w++, u >>= 32n) words[i * 4 + w] = Number(u & 0xffffffffn);
    });
    return makeData({ type: type as Decimal, length, nullCount, nullBitmap: bitmap, data: words });
  }
  if (type instanceof Int64 || DataType.isTimestamp(type)) {
    const data = BigInt64Array.from(values as readonly (bigint | null)[], (v) => v ?? 0n);
    return makeData({ type: type as Int64, length, nullCount, nullBitmap: bitmap, data });
  }
  if (type instanceof Int16 || type instanceof Int32) {
    const numbers = (values as readonly (bigint | null)[]).map((v) => Number(v ?? 0n));
    const data = type instanceof Int16 ? Int16Array.from(numbers) : Int32Array.from(numbers);
    return makeData({ type: type as Int32, length, nullCount, nullBitmap: bitmap, data: data as Int32Array });
  }
  if (DataType.isFloat(type)) {
    return makeData({
      type: type as Float64,
      length,
      nullCount,
      nullBitmap: bitmap,
      data: Float64Array.from(values as readonly (number | null)[], (v) => v ?? 0),
    });
  }
  return makeData({
    type: type as DateDay,
    length,
    nullCount,
    nullBitmap: bitmap,
    data: Int32Array.from(values as readonly (number | null)[], (v) => v ?? 0),
  });
}

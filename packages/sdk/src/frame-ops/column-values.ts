import { DataType, makeVector, type Data } from 'apache-arrow';

/**
 * A column value in a lossless canonical form: integers as `bigint` (int8 never passes through a
 * JS number), decimals unscaled, timestamps in microseconds, dates in days since the epoch.
 */
export type CellValue =
  | null
  | bigint
  | number
  | boolean
  | string
  | Uint8Array
  | { readonly decimal: bigint; readonly scale: number }
  | { readonly micros: bigint; readonly utc: boolean }
  | { readonly days: number };

const MICROS_PER_DAY = 86_400_000_000n;

/** Reads every value of one column (`RecordBatch.data.children[i]`) in canonical form. */
export function readColumn(data: Data): CellValue[] {
  const out: CellValue[] = new Array<CellValue>(data.length);
  const type = data.type as DataType;
  const valid = (i: number): boolean => data.nullCount === 0 || data.getValid(i);
  const values = data.values as ArrayLike<number | bigint> | undefined;
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const wide = type.ArrayType === BigInt64Array || type.ArrayType === BigUint64Array;
    for (let i = 0; i < data.length; i++) {
      const v = (values as ArrayLike<number | bigint>)[data.offset + i] as number | bigint;
      out[i] = !valid(i) ? null : DataType.isInt(type) ? (wide ? (v as bigint) : BigInt(v as number)) : (v as number);
    }
    return out;
  }
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) {
        out[i] = null;
        continue;
      }
      const at = (data.offset + i) * 4;
      let v = 0n;
      for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[at + w] as number);
      out[i] = { decimal: BigInt.asIntN(128, v), scale: type.scale };
    }
    return out;
  }
  if (DataType.isTimestamp(type)) {
    const factor = [1_000_000n, 1_000n, 1n, 0n][type.unit] as bigint; // SECOND, MILLI, MICRO, NANO
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) {
        out[i] = null;
        continue;
      }
      const raw = BigInt((values as ArrayLike<bigint>)[data.offset + i] as bigint);
      out[i] = { micros: factor === 0n ? raw / 1000n : raw * factor, utc: !!type.timezone };
    }
    return out;
  }
  if (DataType.isDate(type)) {
    for (let i = 0; i < data.length; i++) {
      const v = (values as ArrayLike<number | bigint>)[data.offset + i];
      out[i] = !valid(i) ? null : { days: type.unit === 0 ? (v as number) : Number(BigInt(v as bigint) / 86_400_000n) };
    }
    return out;
  }
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const v = vector.get(i) as unknown;
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || v instanceof Uint8Array) out[i] = v;
    else out[i] = String(v);
  }
  return out;
}

/** A decimal's text (`-12.30`), from its unscaled value. */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** ISO text of microseconds since the epoch (`2024-01-02T03:04:05.123456Z`, no `Z` when not UTC). */
export function timestampText(micros: bigint, utc: boolean): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const sub = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString(); // ...sss Z
  const frac = `${iso.slice(20, 23)}${String(sub).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}${utc ? 'Z' : ''}`;
}

/** ISO text of a date (`2024-01-02`). */
export function dateText(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** The value as text (what regex, allowed_values, unique, hash and a cast to utf8 see). */
export function cellText(v: Exclude<CellValue, null>): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? String(Number(v)) : v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `\\x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  if ('decimal' in v) return decimalText(v.decimal, v.scale);
  if ('micros' in v) return timestampText(v.micros, v.utc);
  return dateText(v.days);
}

/** The value for a JSON record (dead letters, error messages): int8 and decimals as strings. */
export function cellJson(v: CellValue): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  return cellText(v);
}

/** Microseconds of a day count, for casts between dates and timestamps. */
export const daysToMicros = (days: number): bigint => BigInt(days) * MICROS_PER_DAY;
export const microsToDays = (micros: bigint): number => Number((micros >= 0n ? micros : micros - MICROS_PER_DAY + 1n) / MICROS_PER_DAY);

import { DataType, DateUnit, makeVector, type Data } from 'apache-arrow';

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
      out[i] = !valid(i)
        ? null
        : { days: type.unit === DateUnit.DAY ? (v as number) : Number(BigInt(v as bigint) / 86_400_000n) };
    }
    return out;
  }
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const v = vector.get(i) as unknown;
    if (v === null || v === undefined) out[i] = null;
    else if (
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      typeof v === 'number' ||
      typeof v === 'bigint' ||
      v instanceof Uint8Array
    )
      out[i] = v;
    else out[i] = String(v);
  }
  return out;
}

/** A decimal's text (`-12.30`), from its unscaled value. */
function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Postgres `±infinity` of a timestamp (int64 max / min) and of a date (int32 max / min), kept as is in Arrow. */
const TIMESTAMP_INFINITY = 9223372036854775807n;
const TIMESTAMP_MINUS_INFINITY = -9223372036854775808n;
const DATE_INFINITY = 0x7fffffff;
const DATE_MINUS_INFINITY = -0x80000000;

/**
 * `YYYY-MM-DD` of a day count since 1970-01-01 in the proleptic Gregorian calendar, computed in
 * integers (a `Date` covers only ±275,760 years; Postgres dates reach 5874897 AD). Years outside
 * 0–9999 are written like `Date.prototype.toISOString` writes them: a sign and at least six digits.
 */
function civilDateText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y =
    year >= 0 && year <= 9999
      ? String(year).padStart(4, '0')
      : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * ISO text of microseconds since the epoch (`2024-01-02T03:04:05.123456Z`, no `Z` when not UTC);
 * Postgres `±infinity` as `infinity` / `-infinity`. Exact for every value Postgres stores.
 */
export function timestampText(micros: bigint, utc: boolean): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_MINUS_INFINITY) return '-infinity';
  let days = micros / MICROS_PER_DAY;
  let rest = micros - days * MICROS_PER_DAY;
  if (rest < 0n) {
    days -= 1n;
    rest += MICROS_PER_DAY;
  }
  const seconds = Number(rest / 1_000_000n);
  const frac = String(Number(rest % 1_000_000n))
    .padStart(6, '0')
    .replace(/0+$/, '');
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${civilDateText(Number(days))}T${hh}:${mm}:${ss}${frac ? `.${frac}` : ''}${utc ? 'Z' : ''}`;
}

/** ISO text of a date (`2024-01-02`); Postgres `±infinity` as `infinity` / `-infinity`. */
export function dateText(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === DATE_MINUS_INFINITY) return '-infinity';
  return civilDateText(days);
}

/** The value as text (what regex, allowed_values, unique, hash and a cast to utf8 see). */
export function cellText(v: Exclude<CellValue, null>): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint')
    return v >= -9007199254740991n && v <= 9007199254740991n ? String(Number(v)) : v.toString();
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
export const microsToDays = (micros: bigint): number =>
  Number((micros >= 0n ? micros : micros - MICROS_PER_DAY + 1n) / MICROS_PER_DAY);

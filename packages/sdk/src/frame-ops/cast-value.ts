import { cellText, daysToMicros, microsToDays, type CellValue } from './column-values.js';
import type { CastType } from './cast-type.js';

/** Why a value does not cast (the caller adds column, row and value). */
export class CastMiss {
  constructor(readonly reason: string) {}
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'off']);

/** Parses decimal text into an unscaled value at `scale`, rounding half away from zero. */
function parseDecimal(text: string, scale: number): bigint | CastMiss {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return new CastMiss('not a number');
  let digits = `${m[2]}${m[3] ?? ''}`;
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length + scale; // value = digits * 10^exp at the target scale
  let v: bigint;
  if (exp >= 0) v = BigInt(digits || '0') * 10n ** BigInt(exp);
  else {
    if (-exp > digits.length) digits = digits.padStart(-exp, '0');
    const keep = digits.slice(0, digits.length + exp) || '0';
    const first = Number(digits[digits.length + exp] ?? '0');
    v = BigInt(keep) + (first >= 5 ? 1n : 0n);
  }
  return m[1] === '-' ? -v : v;
}

function toInt(v: Exclude<CellValue, null>, t: CastType): bigint | CastMiss {
  let r: bigint;
  if (typeof v === 'bigint') r = v;
  else if (typeof v === 'boolean') r = v ? 1n : 0n;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) return new CastMiss('not an integer');
    r = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^\s*[+-]?\d+\s*$/.test(v)) return new CastMiss('not an integer');
    r = BigInt(v.trim());
  } else if (typeof v === 'object' && 'decimal' in v) {
    const unit = 10n ** BigInt(v.scale);
    if (v.decimal % unit !== 0n) return new CastMiss('not an integer');
    r = v.decimal / unit;
  } else return new CastMiss('not an integer');
  if (r < (t.min as bigint) || r > (t.max as bigint)) return new CastMiss(`out of range ${t.min}..${t.max}`);
  return r;
}

function toMicros(v: Exclude<CellValue, null>): bigint | CastMiss {
  if (typeof v === 'object' && 'micros' in v) return v.micros;
  if (typeof v === 'object' && 'days' in v) return daysToMicros(v.days);
  if (typeof v !== 'string') return new CastMiss('not a timestamp');
  const m =
    /^\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i.exec(
      v,
    );
  if (!m) return new CastMiss('not a timestamp');
  const zone = m[4]
    ? m[4].toUpperCase() === 'Z'
      ? 'Z'
      : m[4].length === 3
        ? `${m[4]}:00`
        : m[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
    : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${(m[2] ?? '').length === 5 || !m[2] ? ':00' : ''}${zone}`);
  if (Number.isNaN(ms)) return new CastMiss('not a timestamp');
  return BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0') || '0');
}

/** Converts one non-null value to the target's JS value (see `BuiltColumn`), or says why not. */
export function castValue(v: Exclude<CellValue, null>, t: CastType): bigint | number | string | boolean | CastMiss {
  switch (t.kind) {
    case 'int':
      return toInt(v, t);
    case 'utf8':
      return cellText(v);
    case 'float': {
      if (typeof v === 'number') return v;
      const text = cellText(v).trim();
      const n =
        typeof v === 'boolean'
          ? Number(v)
          : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?(infinity|nan)$/i.test(text)
            ? Number(text.replace(/infinity/i, 'Infinity').replace(/nan/i, 'NaN'))
            : NaN;
      return Number.isNaN(n) && !/nan/i.test(text) ? new CastMiss('not a number') : n;
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      const text = cellText(v).trim().toLowerCase();
      return TRUE.has(text) ? true : FALSE.has(text) ? false : new CastMiss('not a boolean');
    }
    case 'decimal': {
      const r = parseDecimal(cellText(v), t.scale as number);
      if (r instanceof CastMiss) return r;
      const limit = 10n ** BigInt(t.precision as number);
      return r <= -limit || r >= limit ? new CastMiss(`does not fit numeric(${t.precision},${t.scale})`) : r;
    }
    case 'timestamp':
      return toMicros(v);
    case 'date': {
      const micros = toMicros(v);
      return micros instanceof CastMiss ? new CastMiss('not a date') : microsToDays(micros);
    }
  }
}

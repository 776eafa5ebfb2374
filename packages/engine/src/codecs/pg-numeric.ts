/**
 * Postgres `numeric` binary format <-> Decimal128 unscaled integers (four little-endian uint32
 * words per value). Binary numeric: int16 ndigits, int16 weight, uint16 sign, uint16 dscale, then
 * ndigits base-10000 digits, value = Σ digit[i] · 10000^(weight − i). Number arithmetic is used
 * while exact (< 2^53); BigInt only for larger values.
 */

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
/** Sign word values of NaN, +Infinity and -Infinity all have these two top bits set. */
const NUMERIC_SPECIAL_MASK = 0xc000;

/** Upper bound of the binary size of a Decimal128 value as numeric (header + 11 digits, rounded up). */
export const PG_NUMERIC_MAX_DECIMAL128_BYTES = 8 + 2 * 24;

const TWO32 = 4294967296;
/** Horner steps stay exact while the accumulator is below this before `* 10000`. */
const HORNER_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER - 9999) / 10000);
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_ABS_DECIMAL128 = 10n ** 38n - 1n;

/** Writes an exact integer |v| ≤ 2^53 as a 128-bit two's complement value. */
function writeNumberWords(v: number, out: Uint32Array, k: number): void {
  const neg = v < 0;
  const a = neg ? -v : v;
  const lo = a % TWO32;
  const hi = (a - lo) / TWO32;
  if (!neg) {
    out[k] = lo;
    out[k + 1] = hi;
    out[k + 2] = 0;
    out[k + 3] = 0;
  } else if (lo !== 0) {
    out[k] = TWO32 - lo;
    out[k + 1] = 0xffffffff - hi;
    out[k + 2] = 0xffffffff;
    out[k + 3] = 0xffffffff;
  } else {
    out[k] = 0;
    out[k + 1] = TWO32 - hi;
    out[k + 2] = 0xffffffff;
    out[k + 3] = 0xffffffff;
  }
}

function writeBigIntWords(v: bigint, out: Uint32Array, k: number): void {
  const u = BigInt.asUintN(128, v);
  out[k] = Number(u & 0xffffffffn);
  out[k + 1] = Number((u >> 32n) & 0xffffffffn);
  out[k + 2] = Number((u >> 64n) & 0xffffffffn);
  out[k + 3] = Number(u >> 96n);
}

/**
 * Decodes the numeric at `off` (of `len` bytes) into the unscaled integer at `scale`, stored at
 * words `out[4·index…]`. Returns false when the value has no Decimal128 form at that scale (NaN,
 * ±Infinity, more fractional digits than `scale`, or more than 38 digits); `out` is then untouched.
 */
export function readPgNumericAsDecimal128(
  view: DataView,
  off: number,
  len: number,
  scale: number,
  out: Uint32Array,
  index: number,
): boolean {
  const ndigits = view.getInt16(off);
  const weight = view.getInt16(off + 2);
  const sign = view.getUint16(off + 4);
  if ((sign & NUMERIC_SPECIAL_MASK) === NUMERIC_SPECIAL_MASK || ndigits < 0 || len !== 8 + 2 * ndigits) return false;
  const k = index * 4;
  if (ndigits === 0) {
    out[k] = 0;
    out[k + 1] = 0;
    out[k + 2] = 0;
    out[k + 3] = 0;
    return true;
  }
  const exp = 4 * (weight - ndigits + 1) + scale;
  let acc = 0;
  let p = off + 8;
  const end = p + 2 * ndigits;
  for (; p < end; p += 2) {
    if (acc > HORNER_LIMIT) return readBigNumeric(view, p, end, acc, exp, sign, out, k);
    acc = acc * 10000 + view.getInt16(p);
  }
  if (exp > 0) {
    if (exp > 22 || acc > Number.MAX_SAFE_INTEGER / POW10[exp])
      return readBigNumeric(view, end, end, acc, exp, sign, out, k);
    acc *= POW10[exp];
  } else if (exp < 0) {
    if (exp < -22) return readBigNumeric(view, end, end, acc, exp, sign, out, k);
    const div = POW10[-exp];
    if (acc % div !== 0) return false;
    acc /= div;
  }
  writeNumberWords(sign === NUMERIC_NEG ? -acc : acc, out, k);
  return true;
}

function readBigNumeric(
  view: DataView,
  p: number,
  end: number,
  start: number,
  exp: number,
  sign: number,
  out: Uint32Array,
  k: number,
): boolean {
  let acc = BigInt(start);
  for (; p < end; p += 2) acc = acc * 10000n + BigInt(view.getInt16(p));
  if (exp > 0) acc *= 10n ** BigInt(exp);
  else if (exp < 0) {
    const div = 10n ** BigInt(-exp);
    if (acc % div !== 0n) return false;
    acc /= div;
  }
  if (acc > MAX_ABS_DECIMAL128) return false;
  writeBigIntWords(sign === NUMERIC_NEG ? -acc : acc, out, k);
  return true;
}

/** Reads the Decimal128 at words `w[4·index…]` as a Number when exact (|v| ≤ 2^53), else undefined. */
function decimalWordsAsNumber(w: Uint32Array, k: number): number | undefined {
  const w1 = w[k + 1],
    w2 = w[k + 2],
    w3 = w[k + 3];
  if (w3 === 0 && w2 === 0 && w1 < 0x200000) return w1 * TWO32 + w[k];
  if (w3 === 0xffffffff && w2 === 0xffffffff && w1 >= 0xffe00000) return (w1 - TWO32) * TWO32 + w[k];
  return undefined;
}

/** The Decimal128 at words `w[4·index…]` as a BigInt (for messages and the slow path). */
export function decimalWordsAsBigInt(w: Uint32Array, index: number): bigint {
  const k = index * 4;
  const u = (BigInt(w[k + 3]) << 96n) | (BigInt(w[k + 2]) << 64n) | (BigInt(w[k + 1]) << 32n) | BigInt(w[k]);
  return BigInt.asIntN(128, u);
}

/**
 * Writes the Decimal128 at words `w[4·index…]` with `scale` as Postgres binary numeric at `pos`
 * (no length prefix) in the canonical form Postgres itself sends (no leading/trailing zero digits,
 * dscale = scale). `scratch` holds ≥ 24 digits. Returns the position after the value.
 */
export function writeDecimal128AsPgNumeric(
  w: Uint32Array,
  index: number,
  scale: number,
  view: DataView,
  pos: number,
  scratch: Uint16Array,
): number {
  const k = index * 4;
  const v = scale <= 22 ? decimalWordsAsNumber(w, k) : undefined;
  // Digits are produced least significant first: fraction groups, then integer groups.
  let n = 0;
  let nFrac = 0;
  let neg: boolean;
  const pad = (4 - (scale % 4)) % 4;
  if (v !== undefined) {
    neg = v < 0;
    const a = neg ? -v : v;
    const p = POW10[scale];
    let q = Math.floor(a / p);
    let r = a - q * p;
    if (r < 0) {
      q -= 1;
      r += p;
    } else if (r >= p) {
      q += 1;
      r -= p;
    }
    if (scale > 0) {
      const first = POW10[4 - pad];
      scratch[n++] = (r % first) * POW10[pad];
      r = Math.floor(r / first);
      for (let left = scale - (4 - pad); left > 0; left -= 4) {
        scratch[n++] = r % 10000;
        r = Math.floor(r / 10000);
      }
      nFrac = n;
    }
    while (q > 0) {
      scratch[n++] = q % 10000;
      q = Math.floor(q / 10000);
    }
  } else {
    let big = decimalWordsAsBigInt(w, index);
    neg = big < 0n;
    if (neg) big = -big;
    const p = 10n ** BigInt(scale);
    let q = big / p;
    let r = big % p;
    if (scale > 0) {
      const first = 10n ** BigInt(4 - pad);
      scratch[n++] = Number(r % first) * POW10[pad];
      r /= first;
      for (let left = scale - (4 - pad); left > 0; left -= 4) {
        scratch[n++] = Number(r % 10000n);
        r /= 10000n;
      }
      nFrac = n;
    }
    while (q > 0n) {
      scratch[n++] = Number(q % 10000n);
      q /= 10000n;
    }
  }
  // Strip leading (most significant) and trailing zero digits.
  let hiIdx = n - 1;
  while (hiIdx >= 0 && scratch[hiIdx] === 0) hiIdx--;
  let loIdx = 0;
  while (loIdx <= hiIdx && scratch[loIdx] === 0) loIdx++;
  const ndigits = hiIdx - loIdx + 1;
  if (ndigits <= 0) {
    view.setInt16(pos, 0);
    view.setInt16(pos + 2, 0);
    view.setUint16(pos + 4, NUMERIC_POS);
    view.setUint16(pos + 6, scale);
    return pos + 8;
  }
  view.setInt16(pos, ndigits);
  view.setInt16(pos + 2, hiIdx - nFrac);
  view.setUint16(pos + 4, neg ? NUMERIC_NEG : NUMERIC_POS);
  view.setUint16(pos + 6, scale);
  pos += 8;
  for (let i = hiIdx; i >= loIdx; i--, pos += 2) view.setInt16(pos, scratch[i]);
  return pos;
}

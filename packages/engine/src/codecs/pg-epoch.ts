/** Days from 1970-01-01 (Arrow/Unix epoch) to 2000-01-01 (Postgres epoch). */
export const PG_EPOCH_DAYS = 10957;
/** 946684800000000 µs (1970 → 2000) split into 32-bit halves: hi · 2^32 + lo. */
export const PG_EPOCH_MICROS_HI = 220417;
export const PG_EPOCH_MICROS_LO = 993517568;
export const TWO32 = 4294967296;
export const INT32_MAX = 0x7fffffff;
export const INT32_MIN = -0x80000000;

/** True for the int64 halves of Postgres ±infinity (int64 max / min), kept as is both ways. */
export function isInt64Infinity(hi: number, lo: number): boolean {
  return (hi === INT32_MAX && lo === -1) || (hi === INT32_MIN && lo === 0);
}

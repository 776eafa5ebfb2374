import { describe, expect, it } from 'vitest';
import { dateText, timestampText } from './column-values.js';

const MICROS_PER_DAY = 86_400_000_000n;

describe('timestampText and dateText', () => {
  it('match Date.toISOString wherever a Date reaches, with microseconds', () => {
    // every 37,813th day from 271,821 BC to 275,759 AD, at a time of day that varies too
    for (let days = -100_000_000; days <= 100_000_000; days += 37_813) {
      const micros =
        BigInt(days) * MICROS_PER_DAY + BigInt((days % 86_400) * 1_000_000 + 123_456) * (days < 0 ? -1n : 1n);
      const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
      const iso = new Date(Number(ms)).toISOString();
      const sub = String(Number(micros - ms * 1000n)).padStart(3, '0');
      const expected = `${iso.slice(0, -5)}.${iso.slice(-4, -1)}${sub}`.replace(/\.?0+$/, '');
      expect(timestampText(micros, false)).toBe(expected);
      expect(timestampText(micros, true)).toBe(`${expected}Z`);
      expect(dateText(days)).toBe(new Date(days * 86_400_000).toISOString().slice(0, -14));
    }
  });

  it('writes Postgres ±infinity and the years past a Date (294247 AD timestamps, 5874897 AD dates) exactly', () => {
    expect(timestampText(9223372036854775807n, true)).toBe('infinity');
    expect(timestampText(-9223372036854775808n, false)).toBe('-infinity');
    expect(dateText(0x7fffffff)).toBe('infinity');
    expect(dateText(-0x80000000)).toBe('-infinity');
    // the last finite µs an Arrow int64 timestamp holds, and the last Postgres date (Julian day
    // 2147483493) in days since 1970
    expect(timestampText(9223372036854775806n, false)).toBe('+294247-01-10T04:00:54.775806');
    expect(dateText(2_147_483_493 - 2_440_588)).toBe('+5874897-12-31');
    expect(dateText(-2_440_588)).toBe('-004713-11-24');
    expect(timestampText(0n, true)).toBe('1970-01-01T00:00:00Z');
    expect(timestampText(-1n, false)).toBe('1969-12-31T23:59:59.999999');
  });
});

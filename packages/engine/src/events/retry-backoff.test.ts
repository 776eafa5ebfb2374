import { describe, expect, it } from 'vitest';
import { nextAttemptAt, retryDelayMs } from './retry-backoff.js';

/** A seeded PRNG (mulberry32): the same jitter on every run of the test. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('retryDelayMs', () => {
  it('doubles from the base per failure, capped, without jitter at its bounds', () => {
    const low = { baseMs: 5000, maxMs: 3_600_000, random: () => 0 };
    const high = { ...low, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((f) => retryDelayMs(f, low))).toEqual([2500, 5000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4, 5].map((f) => retryDelayMs(f, high))).toEqual([5000, 10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(30, high)).toBe(3_600_000);
    expect(retryDelayMs(1000, high)).toBe(3_600_000);
  });

  it('the seeded sequence: each delay within [d/2, d] of its exponential step', () => {
    const random = seeded(42);
    const delays = Array.from({ length: 8 }, (_, i) => retryDelayMs(i + 1, { baseMs: 1000, maxMs: 60_000, random }));
    expect(delays).toMatchInlineSnapshot(`
      [
        801,
        1448,
        3705,
        6679,
        9399,
        24425,
        38197,
        48742,
      ]
    `);
    delays.forEach((d, i) => {
      const step = Math.min(60_000, 1000 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(step / 2);
      expect(d).toBeLessThanOrEqual(step);
    });
  });
});

describe('nextAttemptAt', () => {
  const backoff = { baseMs: 60_000, maxMs: 3_600_000, random: () => 1 };
  it('is never later than the max age, and undefined (dead) once the delivery reached it', () => {
    const day = 24 * 3_600_000;
    expect(nextAttemptAt({ now: 1000, queuedAt: 0, failures: 1, maxAgeMs: day, backoff })).toBe(61_000);
    expect(nextAttemptAt({ now: day - 10, queuedAt: 0, failures: 20, maxAgeMs: day, backoff })).toBe(day);
    expect(nextAttemptAt({ now: day, queuedAt: 0, failures: 21, maxAgeMs: day, backoff })).toBeUndefined();
  });
});

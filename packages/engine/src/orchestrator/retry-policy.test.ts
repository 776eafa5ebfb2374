import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = {
  backoff: 'exponential',
  jitter: 'half',
  maxRetries: 5,
  initialDelayMs: 100,
  maxDelayMs: 1000,
};

/** The delays of retries 1..n. */
function delays(p: RetryPolicy, n: number, random: () => number): number[] {
  return Array.from({ length: n }, (_, i) => retryDelayMs(p, i + 1, random));
}

/** A seeded generator (mulberry32): the same sequence on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('retryDelayMs', () => {
  it('defaults to the curve before resources.retry existed: exponential from 500 ms to 30 s, jitter in the upper half, 3 retries', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      backoff: 'exponential',
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      jitter: 'half',
      maxRetries: 3,
    });
    expect(delays(DEFAULT_RETRY_POLICY, 8, () => 1)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(delays(DEFAULT_RETRY_POLICY, 8, () => 0)).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('exponential doubles per retry and caps at max_delay (no jitter)', () => {
    expect(delays({ ...policy, jitter: 'none' }, 6, () => 0.5)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('fixed waits initial_delay before every retry (no jitter)', () => {
    expect(delays({ ...policy, backoff: 'fixed', jitter: 'none' }, 5, () => 0.5)).toEqual([100, 100, 100, 100, 100]);
  });

  it('none retries at once, whatever the jitter', () => {
    for (const jitter of ['half', 'full', 'none'] as const)
      expect(delays({ ...policy, backoff: 'none', jitter }, 4, () => 0.9)).toEqual([0, 0, 0, 0]);
  });

  it('half jitter draws from [delay/2, delay]: an exact sequence for a seeded random', () => {
    const random = seeded(42);
    const seq = delays({ ...policy, jitter: 'half' }, 6, random);
    const again = delays({ ...policy, jitter: 'half' }, 6, seeded(42));
    expect(seq).toEqual(again);
    const ceilings = [100, 200, 400, 800, 1000, 1000];
    const draws = (() => {
      const r = seeded(42);
      return ceilings.map(() => r());
    })();
    expect(seq).toEqual(ceilings.map((c, i) => Math.round(c / 2 + ((draws[i] as number) * c) / 2)));
    seq.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual((ceilings[i] as number) / 2);
      expect(d).toBeLessThanOrEqual(ceilings[i] as number);
    });
  });

  it('full jitter draws from [0, delay]; fixed with full jitter stays under initial_delay', () => {
    expect(delays({ ...policy, jitter: 'full' }, 5, () => 0.25)).toEqual([25, 50, 100, 200, 250]);
    expect(delays({ ...policy, backoff: 'fixed', jitter: 'full' }, 3, () => 0.5)).toEqual([50, 50, 50]);
    expect(delays({ ...policy, jitter: 'full' }, 3, () => 0)).toEqual([0, 0, 0]);
  });

  it('a fixed delay above max_delay is capped', () => {
    expect(retryDelayMs({ ...policy, backoff: 'fixed', jitter: 'none', initialDelayMs: 5000 }, 1)).toBe(1000);
  });
});

import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-policy.js';

const policy = { maxRetries: 5, initialDelayMs: 100, maxDelayMs: 1000 };

describe('retryDelayMs', () => {
  it('doubles per attempt within [ceiling/2, ceiling] and caps', () => {
    expect(retryDelayMs(policy, 1, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(100);
    expect(retryDelayMs(policy, 3, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 10, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 10, () => 0)).toBe(500);
  });
});

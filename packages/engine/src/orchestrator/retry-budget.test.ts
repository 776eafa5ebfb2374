import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

const policy = {
  backoff: 'exponential',
  jitter: 'half',
  maxRetries: 2,
  initialDelayMs: 100,
  maxDelayMs: 1000,
} as const;

describe('RetryBudget', () => {
  it('consecutive failures without progress spend the budget, with growing backoff', () => {
    const budget = new RetryBudget(policy, () => 1);
    expect(budget.failed(false)).toEqual({ retry: 1, delayMs: 100, reset: false });
    expect(budget.failed(false)).toEqual({ retry: 2, delayMs: 200, reset: false });
    expect(budget.failed(false)).toBeUndefined();
  });

  it('an attempt that committed before it failed restores the budget and the backoff', () => {
    const budget = new RetryBudget(policy, () => 1);
    expect(budget.failed(true)).toEqual({ retry: 1, delayMs: 100, reset: false }); // nothing to reset yet
    expect(budget.failed(false)).toEqual({ retry: 2, delayMs: 200, reset: false });
    expect(budget.failed(true)).toEqual({ retry: 1, delayMs: 100, reset: true });
    // a follower's whole life: a disconnect after every stretch of progress never runs out
    for (let i = 0; i < 100; i++) expect(budget.failed(true)?.retry).toBe(1);
    expect(budget.failed(false)?.retry).toBe(2);
    expect(budget.failed(false)).toBeUndefined();
  });

  it('max_retries 0 never retries, progress or not', () => {
    const budget = new RetryBudget({ ...policy, maxRetries: 0 });
    expect(budget.failed(true)).toBeUndefined();
    expect(budget.failed(false)).toBeUndefined();
  });
});

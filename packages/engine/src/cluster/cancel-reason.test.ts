import { describe, expect, it } from 'vitest';
import { parseCancelReason } from './cancel-reason.js';

describe('parseCancelReason', () => {
  it('reads the limit a coordinator stored with its cancel request', () => {
    expect(parseCancelReason({ scope: 'run', limitMs: 6000 })).toEqual({ scope: 'run', limitMs: 6000 });
    expect(parseCancelReason({ scope: 'stream', limitMs: 0 })).toEqual({ scope: 'stream', limitMs: 0 });
  });

  it('no reason, or one this build cannot read, is a plain cancel', () => {
    for (const value of [
      null,
      undefined,
      'run',
      {},
      { scope: 'shard', limitMs: 1 },
      { scope: 'run', limitMs: '6000' },
      { scope: 'run', limitMs: -1 },
      { scope: 'run', limitMs: Number.NaN },
    ])
      expect(parseCancelReason(value), JSON.stringify(value)).toBeUndefined();
  });
});

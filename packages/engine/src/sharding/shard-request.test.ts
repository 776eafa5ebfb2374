import { describe, expect, it } from 'vitest';
import { autoShardCount, chainsOf, shardRequest } from './shard-request.js';
import { shardRange } from './shard-plan.js';

describe('shardRequest', () => {
  const fr = { syncMode: 'full_refresh', writeMode: 'append' } as const;
  it('a number of 2 or more splits append and upsert full refreshes', () => {
    expect(shardRequest({ ...fr, shards: 4 }, 2)).toEqual({ kind: 'fixed', count: 4 });
    expect(shardRequest({ ...fr, writeMode: 'upsert', shards: 2 }, 2)).toEqual({ kind: 'fixed', count: 2 });
    expect(shardRequest({ ...fr, shards: 1 }, 16)).toEqual({ kind: 'none' });
  });
  it('says why shards asked for do not apply (replace, incremental, cdc)', () => {
    expect(shardRequest({ ...fr, writeMode: 'replace', shards: 4 }, 8)).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('replace'),
    });
    expect(shardRequest({ syncMode: 'incremental', writeMode: 'append', shards: 4 }, 8)).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('incremental'),
    });
    expect(shardRequest({ syncMode: 'cdc', writeMode: 'upsert' }, 8)).toEqual({ kind: 'none' });
  });
  it('auto (or absent) never splits below 4 cores, and at most into half the cores', () => {
    expect(shardRequest({ ...fr }, 2)).toEqual({ kind: 'none' });
    expect(shardRequest({ ...fr, shards: 'auto' }, 3)).toEqual({ kind: 'none' });
    expect(shardRequest({ ...fr, shards: 'auto' }, 8)).toEqual({ kind: 'auto', max: 4 });
    expect(chainsOf({ kind: 'auto', max: 4 })).toBe(4);
    expect(chainsOf({ kind: 'fixed', count: 3 })).toBe(3);
    expect(chainsOf({ kind: 'none' })).toBe(1);
  });
  it('auto picks one shard per million rows, between 1 and max', () => {
    expect(autoShardCount(4, 0)).toBe(1);
    expect(autoShardCount(4, 1_999_999)).toBe(1);
    expect(autoShardCount(4, 2_000_000)).toBe(2);
    expect(autoShardCount(4, 50_000_000)).toBe(4);
  });
});

describe('shardRange', () => {
  it('cuts (lower, upper] at the bounds, open at both ends', () => {
    const plan = { bounds: [['10'], ['20']] };
    expect(shardRange(plan, 0)).toEqual({ upper: ['10'] });
    expect(shardRange(plan, 1)).toEqual({ lower: ['10'], upper: ['20'] });
    expect(shardRange(plan, 2)).toEqual({ lower: ['20'] });
  });
});

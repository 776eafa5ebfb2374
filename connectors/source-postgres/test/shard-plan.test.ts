import type { PgColumn, StreamShard } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { planShard, setSnapshotStatement } from '../src/shard-plan.js';

function col(name: string, typeName: string, nullable: boolean): PgColumn {
  return { name, typeName, typeOid: 0, typeCategory: 'X', nullable, enumLabels: [] };
}
const columns = [col('region', 'text', false), col('n', 'integer', false), col('note', 'text', true)];
const shard: StreamShard = {
  index: 1,
  count: 3,
  snapshot: '00000003-0000001B-1',
  key: ['region', 'n'],
  lower: ['EU', '10'],
  upper: ['US', '5'],
  pass: 'p1',
};

describe('planShard', () => {
  it('reads (lower, upper] in chunks by the shard key, typed from the relation', () => {
    const p = planShard('public.t', shard, columns, null);
    expect(p).toMatchObject({ chunked: true, after: ['EU', '10'], limit: ['US', '5'], rowsBefore: 0, done: false });
    expect(p.key).toEqual([
      { name: 'region', type: 'text' },
      { name: 'n', type: 'integer' },
    ]);
  });

  it('the first and the last shard are open at their outer end', () => {
    const first = planShard('public.t', { ...shard, index: 0, lower: undefined }, columns, null);
    expect(first.after).toBeUndefined();
    const last = planShard('public.t', { ...shard, index: 2, upper: undefined }, columns, null);
    expect(last.limit).toBeUndefined();
  });

  it('resumes after pkAfter of the same pass, is done after its complete point, ignores other passes', () => {
    const resumed = planShard('public.t', shard, columns, {
      mode: 'full_refresh',
      pkAfter: ['FR', '3'],
      primaryKey: ['region', 'n'],
      rows: 40,
      pass: 'p1',
    });
    expect(resumed).toMatchObject({ after: ['FR', '3'], rowsBefore: 40, done: false });
    const done = planShard('public.t', shard, columns, {
      mode: 'full_refresh',
      complete: true,
      primaryKey: ['region', 'n'],
      rows: 77,
      pass: 'p1',
    });
    expect(done).toMatchObject({ done: true, rowsBefore: 77 });
    const other = planShard('public.t', shard, columns, {
      mode: 'full_refresh',
      complete: true,
      primaryKey: ['region', 'n'],
      rows: 77,
      pass: 'p0',
    });
    expect(other).toMatchObject({ done: false, after: ['EU', '10'], rowsBefore: 0 });
    const unsharded = planShard('public.t', shard, columns, {
      mode: 'full_refresh',
      pkAfter: ['FR', '3'],
      primaryKey: ['region', 'n'],
      rows: 40,
    });
    expect(unsharded).toMatchObject({ after: ['EU', '10'], rowsBefore: 0 });
  });

  it('refuses a missing or nullable key column and a bound of the wrong width', () => {
    expect(() => planShard('public.t', { ...shard, key: ['nope'] }, columns, null)).toThrow(
      /shard key column "nope" does not exist/,
    );
    expect(() => planShard('public.t', { ...shard, key: ['note'], lower: ['a'], upper: ['b'] }, columns, null)).toThrow(
      /nullable/,
    );
    expect(() => planShard('public.t', { ...shard, lower: ['EU'] }, columns, null)).toThrow(/1 values for a key of 2/);
  });
});

describe('setSnapshotStatement', () => {
  it('takes a pg_export_snapshot() id and nothing else into SQL', () => {
    expect(setSnapshotStatement('public.t', '00000003-0000001B-1')).toBe(
      "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'",
    );
    expect(() => setSnapshotStatement('public.t', "x'; DROP TABLE t; --")).toThrow(/not a snapshot id/);
  });
});

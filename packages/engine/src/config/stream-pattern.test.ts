import { describe, expect, it } from 'vitest';
import { prefixedTableName } from './destination-table-name.js';
import { isStreamPattern, matchesStreamPattern } from './stream-pattern.js';

describe('matchesStreamPattern', () => {
  it('matches schema and table separately, a bare pattern meaning public', () => {
    expect(matchesStreamPattern('public.*', 'public.users')).toBe(true);
    expect(matchesStreamPattern('public.*', 'sales.users')).toBe(false);
    expect(matchesStreamPattern('*', 'public.users')).toBe(true);
    expect(matchesStreamPattern('*', 'sales.users')).toBe(false);
    expect(matchesStreamPattern('*.orders', 'sales.orders')).toBe(true);
    expect(matchesStreamPattern('*.*', 'x.y')).toBe(true);
    expect(matchesStreamPattern('sales.order_?', 'sales.order_1')).toBe(true);
    expect(matchesStreamPattern('sales.order_?', 'sales.order_12')).toBe(false);
  });

  it('treats regex characters literally and handles quoted names', () => {
    expect(matchesStreamPattern('public.a+b', 'public.aab')).toBe(false);
    expect(matchesStreamPattern('public.a+b', 'public.a+b')).toBe(true);
    expect(matchesStreamPattern('"my.schema".*', '"my.schema".t1')).toBe(true);
    expect(matchesStreamPattern('public.tmp_*', 'public.tmp_2024')).toBe(true);
  });

  it('knows a pattern from a name', () => {
    expect(isStreamPattern('public.*')).toBe(true);
    expect(isStreamPattern('public.users')).toBe(false);
  });
});

describe('prefixedTableName', () => {
  it('puts a prefix in front of the source table', () => {
    expect(prefixedTableName('public.users', 'raw_')).toBe('raw_users');
    expect(prefixedTableName('users', undefined)).toBeUndefined();
  });

  it('chooses the prefix by source schema from a map', () => {
    const map = { public: '', sales: 'sales_' };
    expect(prefixedTableName('sales.orders', map)).toBe('sales_orders');
    expect(prefixedTableName('public.orders', map)).toBeUndefined();
    expect(prefixedTableName('hr.people', map)).toBeUndefined();
    expect(prefixedTableName('toString.t', {})).toBeUndefined();
  });
});

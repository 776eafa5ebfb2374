import { describe, expect, it } from 'vitest';
import { formatStreamName, parseStreamName } from './stream-name.js';

describe('parseStreamName', () => {
  it('splits schema and table and keeps case', () => {
    expect(parseStreamName('public.users')).toEqual({ schema: 'public', table: 'users' });
    expect(parseStreamName('public.TypeZoo')).toEqual({ schema: 'public', table: 'TypeZoo' });
  });

  it('defaults a bare name to public', () => {
    expect(parseStreamName('orders')).toEqual({ schema: 'public', table: 'orders' });
  });

  it('splits on the first dot outside quotes and unquotes', () => {
    expect(parseStreamName('"my.schema"."a""b"')).toEqual({ schema: 'my.schema', table: 'a"b' });
    expect(parseStreamName('raw.events.v2')).toEqual({ schema: 'raw', table: 'events.v2' });
  });

  it('round-trips through formatStreamName', () => {
    for (const [schema, table] of [
      ['public', 'users'],
      ['my.schema', 'a"b'],
      ['S', 'T.x'],
    ] as const) {
      expect(parseStreamName(formatStreamName(schema, table))).toEqual({ schema, table });
    }
  });
});

describe('parseStreamName edge cases', () => {
  it.each([
    ['users', 'public', 'users'],
    ['public.TypeZoo', 'public', 'TypeZoo'],
    ['"My.Schema"."T.x"', 'My.Schema', 'T.x'],
    ['"a""b".c', 'a"b', 'c'],
    ['s.t.u', 's', 't.u'],
  ])('%s', (input, schema, table) => {
    expect(parseStreamName(input)).toEqual({ schema, table });
  });
});

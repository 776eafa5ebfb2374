import { describe, expect, it } from 'vitest';
import { parseStreamName } from './stream-name.js';

describe('parseStreamName', () => {
  it.each([
    ['public.users', 'public', 'users'],
    ['users', 'public', 'users'],
    ['public.TypeZoo', 'public', 'TypeZoo'],
    ['"My.Schema"."T.x"', 'My.Schema', 'T.x'],
    ['"a""b".c', 'a"b', 'c'],
    ['s.t.u', 's', 't.u'],
  ])('%s', (input, schema, table) => {
    expect(parseStreamName(input)).toEqual({ schema, table });
  });
});

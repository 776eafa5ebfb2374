import { describe, expect, it } from 'vitest';
import { arrayElementTypeName, isSafeTypeName, unqualifiedTypeName } from '../src/sql-type-name.js';

describe('isSafeTypeName', () => {
  it.each([
    'numeric(38,10)',
    'character varying(20)',
    'timestamp(3) with time zone',
    'integer[]',
    'double precision',
    'public.citext',
    '"My ""odd"" type; x"',
    'interval year to month',
  ])('accepts %s', (t) => expect(isSafeTypeName(t)).toBe(true));

  it.each(['text; drop table x', 'int -- x', "'a'", '"unterminated', '', 'int/*'])('rejects %s', (t) =>
    expect(isSafeTypeName(t)).toBe(false),
  );
});

describe('unqualifiedTypeName', () => {
  it('drops the schema and the quotes', () => {
    expect(unqualifiedTypeName('mood')).toBe('mood');
    expect(unqualifiedTypeName('other."Mood"')).toBe('Mood');
    expect(unqualifiedTypeName('"a.b"."c.d"')).toBe('c.d');
    expect(unqualifiedTypeName('"say ""hi"""')).toBe('say "hi"');
  });
});

describe('arrayElementTypeName', () => {
  it('strips the array brackets, keeping the qualification', () => {
    expect(arrayElementTypeName('mood[]')).toBe('mood');
    expect(arrayElementTypeName('other."Mood"[]')).toBe('other."Mood"');
    expect(arrayElementTypeName('size[][]')).toBe('size');
    expect(arrayElementTypeName('integer[3]')).toBe('integer');
    expect(arrayElementTypeName('"a[]"')).toBeUndefined();
    expect(arrayElementTypeName('mood')).toBeUndefined();
  });
});

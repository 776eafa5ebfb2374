import { describe, expect, it } from 'vitest';
import { arrayElementTypeName, unqualifiedTypeName } from './type-name-parts.js';

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

import { describe, expect, it } from 'vitest';
import { isSafeTypeName } from '../src/sql-type-name.js';

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
    'numeric(5,-2)',
    'numeric(5, -2)[]',
  ])('accepts %s', (t) => expect(isSafeTypeName(t)).toBe(true));

  it.each([
    'text; drop table x',
    'int -- x',
    "'a'",
    '"unterminated',
    '',
    'int/*',
    'numeric(5,--2)',
    'numeric(5,-)',
    'int-1',
    'numeric(5-2)',
  ])('rejects %s', (t) => expect(isSafeTypeName(t)).toBe(false));
});

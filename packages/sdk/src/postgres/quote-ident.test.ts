import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote-ident.js';

describe('quoteIdent', () => {
  it('quotes mixed case, reserved words, dots and spaces verbatim', () => {
    expect(quoteIdent('TypeZoo')).toBe('"TypeZoo"');
    expect(quoteIdent('select')).toBe('"select"');
    expect(quoteIdent('a.b c')).toBe('"a.b c"');
  });

  it('doubles embedded quotes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"')).toBe('""""');
    expect(quoteQualified('my"schema', 'User')).toBe('"my""schema"."User"');
  });
});

describe('quoteLiteral', () => {
  it('doubles single quotes and escapes backslashes with E-strings', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(quoteLiteral('')).toBe("''");
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_IDENTIFIER_BYTES, postgresIdentifier } from './postgres-identifier.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('postgresIdentifier', () => {
  it('keeps a name of up to 63 bytes', () => {
    expect(postgresIdentifier('users')).toBe('users');
    expect(postgresIdentifier('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it('cuts a longer name to 63 bytes', () => {
    expect(postgresIdentifier('x'.repeat(70))).toBe('x'.repeat(63));
  });

  it('never splits a multibyte character (the server cuts the same way)', () => {
    // 'pre_' + 30 × 'ü' = 64 bytes: the 30th ü would end at byte 64, so 29 remain (62 bytes)
    expect(postgresIdentifier(`pre_${'ü'.repeat(30)}`)).toBe(`pre_${'ü'.repeat(29)}`);
    for (const ch of ['é', '日', '😀']) {
      for (let pad = 0; pad < 4; pad++) {
        const cut = postgresIdentifier('a'.repeat(pad) + ch.repeat(40));
        expect(bytes(cut)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
        expect(bytes(cut)).toBeGreaterThan(MAX_IDENTIFIER_BYTES - bytes(ch));
        expect(cut.endsWith(ch)).toBe(true);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { fnv1a32Hex, stagingTableName, utf8Length } from '../src/staging-table-name.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('stagingTableName', () => {
  it('appends the suffix when it fits', () => {
    expect(stagingTableName('users')).toBe('users__rb_stage');
    const exact = 'a'.repeat(63 - '__rb_stage'.length);
    expect(stagingTableName(exact)).toBe(exact + '__rb_stage');
  });

  it('truncates long names to 63 bytes and keeps a hash of the full name', () => {
    const long = 'a'.repeat(60);
    const name = stagingTableName(long);
    expect(bytes(name)).toBeLessThanOrEqual(63);
    expect(name.endsWith(`_${fnv1a32Hex(long)}__rb_stage`)).toBe(true);
    expect(stagingTableName('a'.repeat(54))).toBe('a'.repeat(44) + '_' + fnv1a32Hex('a'.repeat(54)) + '__rb_stage');
  });

  it('counts UTF-8 bytes, not characters, and never splits a character', () => {
    for (const ch of ['é', '日', '😀']) {
      for (let n = 10; n < 40; n++) {
        const table = ch.repeat(n);
        const name = stagingTableName(table);
        expect(bytes(name)).toBeLessThanOrEqual(63);
        expect(name).not.toContain('\uFFFD');
        expect(name.endsWith('__rb_stage')).toBe(true);
        expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
      }
    }
  });

  it('keeps two long names with the same prefix apart', () => {
    const prefix = 'customer_order_line_item_history_snapshot_partition_';
    expect(stagingTableName(prefix + '2024')).not.toBe(stagingTableName(prefix + '2025'));
  });
});

describe('utf8Length and fnv1a32Hex', () => {
  it('match Node', () => {
    for (const s of ['', 'abc', 'é日😀', 'a\u0000b']) expect(utf8Length(s)).toBe(bytes(s));
    expect(fnv1a32Hex('')).toBe('811c9dc5');
    expect(fnv1a32Hex('a')).toBe('e40c292c');
    expect(fnv1a32Hex('foobar')).toBe('bf9cf968');
  });
});

import { describe, expect, it } from 'vitest';
import { keyColumnsMissing, keyParam, PRIMARY_KEY_COLUMNS_SQL, UNIQUE_KEY_SQL } from '../src/key-check-sql.js';

describe('key check queries', () => {
  it('passes key columns as a JSON array (names with commas, quotes, braces survive)', () => {
    expect(keyParam(['User', 'a,"b"}'])).toBe('["User","a,\\"b\\"}"]');
    expect(JSON.parse(keyParam(['select', 'Ünï']))).toEqual(['select', 'Ünï']);
  });

  it('accepts only indexes ON CONFLICT can use: unique, valid, immediate, not partial, no expressions, key columns only', () => {
    for (const part of [
      'i.indisunique',
      'i.indisvalid',
      'i.indimmediate',
      'i.indpred IS NULL',
      'i.indexprs IS NULL',
      'k.ord <= i.indnkeyatts',
    ]) {
      expect(UNIQUE_KEY_SQL).toContain(part);
    }
    expect(UNIQUE_KEY_SQL).toContain('i.indnkeyatts = json_array_length($2::json)');
    expect(PRIMARY_KEY_COLUMNS_SQL).toContain('i.indisprimary');
    expect(PRIMARY_KEY_COLUMNS_SQL).toContain('ORDER BY k.ord');
  });

  it('lists key columns missing from the frame (case-sensitive)', () => {
    expect(keyColumnsMissing(['id', 'Region'], [{ name: 'id' }, { name: 'region' }])).toEqual(['Region']);
    expect(keyColumnsMissing(['a', 'b'], [{ name: 'b' }, { name: 'a' }])).toEqual([]);
  });
});

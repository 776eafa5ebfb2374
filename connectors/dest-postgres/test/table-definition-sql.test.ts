import { describe, expect, it } from 'vitest';
import { REPLACE_LOCK_CLASS, REPLACE_LOCK_SQL, TRY_REPLACE_LOCK_SQL, REPLACE_UNLOCK_SQL } from '../src/swap-queries.js';
import { primaryKeyName, referencingForeignKeysFromRows } from '../src/table-definition-sql.js';

describe('primaryKeyName', () => {
  it('is <table>_pkey, as CREATE TABLE names it', () => {
    expect(primaryKeyName('items')).toBe('items_pkey');
    expect(primaryKeyName('Mixed Case')).toBe('Mixed Case_pkey');
  });

  it('cuts a long table name on a character boundary so the whole fits 63 bytes', () => {
    expect(primaryKeyName('a'.repeat(58))).toBe('a'.repeat(58) + '_pkey');
    expect(primaryKeyName('a'.repeat(63))).toBe('a'.repeat(58) + '_pkey');
    const accented = 'é'.repeat(40); // 80 bytes
    const name = primaryKeyName(accented);
    expect(name).toBe('é'.repeat(29) + '_pkey');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });
});

describe('referencingForeignKeysFromRows', () => {
  it('reads table, name, statements and the optional comment', () => {
    expect(
      referencingForeignKeysFromRows([
        [
          'wh.order_lines',
          'fk',
          'ALTER TABLE wh.order_lines DROP CONSTRAINT fk',
          'ALTER TABLE wh.order_lines ADD CONSTRAINT fk FOREIGN KEY (item_id) REFERENCES wh.items(id)',
          undefined,
        ],
      ]),
    ).toEqual([
      {
        table: 'wh.order_lines',
        name: 'fk',
        drop: 'ALTER TABLE wh.order_lines DROP CONSTRAINT fk',
        add: 'ALTER TABLE wh.order_lines ADD CONSTRAINT fk FOREIGN KEY (item_id) REFERENCES wh.items(id)',
        comment: undefined,
      },
    ]);
  });
});

describe('replace lock', () => {
  it('is one two-key advisory lock per target name, taken and released with the same key', () => {
    expect(REPLACE_LOCK_CLASS).toBeLessThan(2 ** 31);
    const key = `${REPLACE_LOCK_CLASS}, hashtext($1::text)`;
    expect(TRY_REPLACE_LOCK_SQL).toContain(`pg_try_advisory_lock(${key})`);
    expect(REPLACE_LOCK_SQL).toContain(`pg_advisory_lock(${key})`);
    expect(REPLACE_UNLOCK_SQL).toContain(`pg_advisory_unlock(${key})`);
  });
});

import { describe, expect, it } from 'vitest';
import { cdcNames, sanitizeSlotName, SLOT_NAME_PATTERN } from '../src/cdc-names.js';
import { cdcSnapshotCopy } from '../src/cdc-snapshot-copy.js';

describe('cdc names', () => {
  it('derives slot and publication from the pipeline, sanitised to [a-z0-9_] and 63 bytes', () => {
    expect(cdcNames(undefined, 'Shop-To.WH')).toEqual({
      slot: 'rapidbyte_shop_to_wh',
      publication: 'rapidbyte_shop_to_wh',
    });
    const long = sanitizeSlotName(`rapidbyte_${'x'.repeat(100)}`);
    expect(long).toHaveLength(63);
    expect(SLOT_NAME_PATTERN.test(long)).toBe(true);
    expect(sanitizeSlotName('Ünïcode name')).toBe('_n_code_name');
  });

  it('uses the configured names', () => {
    expect(cdcNames({ slot_name: 's1', publication_name: 'My Pub' }, 'p')).toEqual({
      slot: 's1',
      publication: 'My Pub',
    });
  });
});

describe('cdcSnapshotCopy', () => {
  const columns = [
    { name: 'Id', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: false, enumLabels: [] },
  ];

  it('selects the columns quoted; a change log adds _rb_op r, the snapshot LSN and no unchanged columns', () => {
    expect(cdcSnapshotCopy('public', 'T', columns, undefined, 'r').sql).toBe(
      'COPY (SELECT "Id" FROM ONLY "public"."T") TO STDOUT (FORMAT binary)',
    );
    // a partitioned table is read whole (its rows live in its partitions)
    expect(cdcSnapshotCopy('public', 'T', columns, undefined, 'p').sql).toBe(
      'COPY (SELECT "Id" FROM "public"."T") TO STDOUT (FORMAT binary)',
    );
    const log = cdcSnapshotCopy('public', 'T', columns, "0/16B'3748", 'r');
    expect(log.sql).toBe(
      `COPY (SELECT "Id", 'r'::text AS "_rb_op", '0/16B''3748'::pg_lsn AS "_rb_lsn", NULL::text AS "_rb_unchanged" FROM ONLY "public"."T") TO STDOUT (FORMAT binary)`,
    );
    expect(log.columns.map((c) => c.name)).toEqual(['Id', '_rb_op', '_rb_lsn', '_rb_unchanged']);
  });
});

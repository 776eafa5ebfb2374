import { describe, expect, it } from 'vitest';
import {
  cdcPhase,
  changeColumns,
  isCdcWriteMode,
  isSnapshotMarker,
  reservedColumnClashes,
  streamFields,
} from '../src/cdc-frame.js';

const field = (name: string) => ({ name, type: 'Utf8', nullable: true, metadata: {} });
const marked = (name: string, role: string) => ({
  name,
  type: 'Utf8',
  nullable: true,
  metadata: { 'rapidbyte.cdc_column': role },
});
const CHANGES = { 'rapidbyte.cdc_phase': 'changes' };
const SNAPSHOT = { 'rapidbyte.cdc_phase': 'snapshot' };

describe('CDC frames', () => {
  it('reads the phase from the schema metadata, else from the presence of _rb_op', () => {
    expect(cdcPhase({ fields: [field('id')], metadata: { 'rapidbyte.cdc_phase': 'changes' } })).toBe('changes');
    expect(cdcPhase({ fields: [field('id'), field('_rb_op')], metadata: { 'rapidbyte.cdc_phase': 'snapshot' } })).toBe(
      'snapshot',
    );
    expect(cdcPhase({ fields: [field('id'), field('_rb_op')] })).toBe('changes');
    expect(cdcPhase({ fields: [field('id')] })).toBe('snapshot');
  });

  it('separates the stream columns from the change columns (unmarked: by name, in change frames and change logs)', () => {
    const fields = ['id', 'Name', '_rb_op', '_rb_lsn', '_rb_unchanged'].map(field);
    expect(streamFields({ fields, metadata: CHANGES }, 'upsert').map((f) => f.name)).toEqual(['id', 'Name']);
    expect(streamFields({ fields, metadata: SNAPSHOT }, 'append').map((f) => f.name)).toEqual(['id', 'Name']);
    expect(changeColumns({ fields, metadata: CHANGES }, 'upsert')).toEqual({
      op: '_rb_op',
      lsn: '_rb_lsn',
      unchanged: '_rb_unchanged',
    });
  });

  it('finds marked change columns by their mark: a source column named _rb_op is one of the stream columns', () => {
    const fields = [
      field('id'),
      field('_rb_op'),
      field('_rb_lsn'),
      marked('_rb_op_1', 'op'),
      marked('_rb_lsn_1', 'lsn'),
      marked('_rb_unchanged', 'unchanged'),
    ];
    expect(changeColumns({ fields, metadata: CHANGES }, 'upsert')).toEqual({
      op: '_rb_op_1',
      lsn: '_rb_lsn_1',
      unchanged: '_rb_unchanged',
    });
    expect(streamFields({ fields, metadata: CHANGES }, 'upsert').map((f) => f.name)).toEqual([
      'id',
      '_rb_op',
      '_rb_lsn',
    ]);
    expect(cdcPhase({ fields })).toBe('changes');
  });

  it('takes every field of an upsert snapshot frame for a stream column, _rb_op included', () => {
    const fields = ['id', '_rb_op', '_rb_unchanged'].map(field);
    expect(changeColumns({ fields, metadata: SNAPSHOT }, 'upsert')).toEqual({});
    expect(streamFields({ fields, metadata: SNAPSHOT }, 'upsert').map((f) => f.name)).toEqual([
      'id',
      '_rb_op',
      '_rb_unchanged',
    ]);
  });

  it('names the source columns that clash with the columns a target keeps for itself', () => {
    const change = [marked('_rb_op_1', 'op'), marked('_rb_lsn', 'lsn'), marked('_rb_unchanged', 'unchanged')];
    const frame = { fields: [field('id'), field('_rb_op'), ...change], metadata: CHANGES };
    expect(reservedColumnClashes(frame, 'append', [])).toEqual(['_rb_op']);
    expect(reservedColumnClashes(frame, 'upsert', [])).toEqual([]);
    expect(
      reservedColumnClashes(
        { fields: [field('id'), field('_rb_deleted_at'), ...change], metadata: CHANGES },
        'upsert',
        ['_rb_deleted_at'],
      ),
    ).toEqual(['_rb_deleted_at']);
    // an unmarked change-log snapshot with a source column _rb_op holds the name twice
    const snapshot = { fields: ['id', '_rb_op', '_rb_op', '_rb_lsn', '_rb_unchanged'].map(field), metadata: SNAPSHOT };
    expect(reservedColumnClashes(snapshot, 'append', [])).toEqual(['_rb_op']);
    expect(
      reservedColumnClashes(
        { fields: ['id', '_rb_op', '_rb_lsn', '_rb_unchanged'].map(field), metadata: SNAPSHOT },
        'append',
        [],
      ),
    ).toEqual([]);
  });

  it('recognises the marker that closes a snapshot', () => {
    expect(isSnapshotMarker({ mode: 'cdc', lsn: '0/16B3748', snapshot: true })).toBe(true);
    expect(isSnapshotMarker({ mode: 'cdc', lsn: '0/16B3748' })).toBe(false);
    expect(isSnapshotMarker(null)).toBe(false);
  });

  it('allows cdc × upsert | append only', () => {
    expect(['upsert', 'append', 'replace'].map(isCdcWriteMode)).toEqual([true, true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { cdcPhase, isCdcWriteMode, isSnapshotMarker, streamFields } from '../src/cdc-frame.js';

const field = (name: string) => ({ name, type: 'Utf8', nullable: true, metadata: {} });

describe('CDC frames', () => {
  it('reads the phase from the schema metadata, else from the presence of _rb_op', () => {
    expect(cdcPhase({ fields: [field('id')], metadata: { 'rapidbyte.cdc_phase': 'changes' } })).toBe('changes');
    expect(cdcPhase({ fields: [field('id'), field('_rb_op')], metadata: { 'rapidbyte.cdc_phase': 'snapshot' } })).toBe('snapshot');
    expect(cdcPhase({ fields: [field('id'), field('_rb_op')] })).toBe('changes');
    expect(cdcPhase({ fields: [field('id')] })).toBe('snapshot');
  });

  it('separates the stream columns from the change columns', () => {
    const fields = ['id', 'Name', '_rb_op', '_rb_lsn', '_rb_unchanged'].map(field);
    expect(streamFields(fields).map((f) => f.name)).toEqual(['id', 'Name']);
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

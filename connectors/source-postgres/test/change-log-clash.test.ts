import { describe, expect, it } from 'vitest';
import { changeLogClash } from '../src/change-log-clash.js';

const col = (name: string) => ({
  name,
  typeName: 'text',
  typeOid: 25,
  typeCategory: 'S',
  nullable: true,
  enumLabels: [],
});

describe('changeLogClash', () => {
  it("is nothing for a table without columns named like the change log's own", () => {
    expect(changeLogClash('public.t', ['id', '_rb_opx', 'rb_op', '_rb_deleted_at'].map(col))).toBeUndefined();
  });

  it('names the stream, every clashing column and both ways out, with a column list that leaves them out', () => {
    const error = changeLogClash('public.ledger', ['id', '_rb_op', 'Note', '_rb_lsn'].map(col));
    expect(error?.columns).toEqual(['_rb_op', '_rb_lsn']);
    expect(error?.message).toBe(
      'public.ledger: source columns "_rb_op", "_rb_lsn" have the names of the change log\'s own columns (cdc × append adds _rb_op, _rb_lsn, _rb_unchanged); ' +
        'leave them out with a column list on the stream (columns: [id, "Note"]) or load the stream with write_mode: upsert, where they are ordinary columns. ' +
        'Nothing was changed (the table was not published)',
    );
    expect(changeLogClash('public.t', ['id', '_rb_unchanged'].map(col))?.message).toContain(
      'source column "_rb_unchanged" has the name of the change log\'s own column (',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { columnCatalogFromRows, columnHistory, storedColumns } from '../src/column-identity.js';

const col = (name: string) => ({
  name,
  typeName: 'text',
  typeOid: 25,
  typeCategory: 'S',
  nullable: true,
  enumLabels: [],
});

describe('columnCatalogFromRows', () => {
  it('reads what rows existing before a column was added hold: its missing value, unknown (a default without one), or nothing', () => {
    const rows = columnCatalogFromRows([
      ['1', 'id', '23', 'f', undefined, 'f'],
      ['2', 'status', '25', 't', 'new', 't'],
      ['3', 'token', '25', 'f', undefined, 't'],
      ['4', 'odd', '1007', 't', undefined, 't'],
    ]);
    expect(rows.map((r) => r.fill)).toEqual([undefined, { value: 'new' }, { unknown: true }, { unknown: true }]);
    expect(rows[1]).toMatchObject({ attnum: 2, name: 'status', typeOid: 25 });
  });
});

describe('columnHistory', () => {
  const catalog = columnCatalogFromRows([
    ['1', 'id', '23', 'f', undefined, 'f'],
    ['2', 'title', '25', 'f', undefined, 'f'],
    ['4', 'status', '25', 't', 'new', 't'],
  ]);
  const columns = ['id', 'title', 'status'].map(col);

  it('finds a rename by attnum and type against the last checkpoint, and describes the fills', () => {
    const history = columnHistory(columns, catalog, [
      [1, 'id', 23],
      [2, 'name', 25],
    ]);
    expect([...history.renamed]).toEqual([['title', 'name']]);
    expect(history.metadata).toEqual([
      ['rapidbyte.renamed_columns', '{"title":"name"}'],
      ['rapidbyte.column_fill', '{"status":{"value":"new"}}'],
    ]);
    // checkpoints keep the old name until a frame carried the new one
    expect(storedColumns(history.identity, history.renamed, undefined)).toEqual([
      [1, 'id', 23],
      [2, 'name', 25],
      [4, 'status', 25],
    ]);
    expect(storedColumns(history.identity, history.renamed, ['id', 'name'])).toEqual([
      [1, 'id', 23],
      [2, 'name', 25],
      [4, 'status', 25],
    ]);
    expect(storedColumns(history.identity, history.renamed, ['id', 'title'])).toEqual([
      [1, 'id', 23],
      [2, 'title', 25],
      [4, 'status', 25],
    ]);
  });

  it('is no rename when the type changed, the old name is still a column, or nothing was stored', () => {
    expect(columnHistory(columns, catalog, [[2, 'name', 23]]).renamed.size).toBe(0);
    expect(columnHistory(columns, catalog, [[2, 'status', 25]]).renamed.size).toBe(0);
    expect(columnHistory(columns, catalog, undefined).renamed.size).toBe(0);
  });
});

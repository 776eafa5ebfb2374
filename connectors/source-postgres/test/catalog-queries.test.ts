import { describe, expect, it } from 'vitest';
import { catalogFromRows, columnsFromRows } from '../src/catalog-queries.js';
import { projectColumns, projectedPrimaryKey } from '../src/column-projection.js';
import { copyOutStatement } from '../src/copy-out-statement.js';

const rows = [
  ['id', 'bigint', '20', 'N', 'f', '[]'],
  ['Mood', 'mood', '16390', 'E', 't', '["sad","ok","happy"]'],
  ['amount', 'numeric(12,2)', '1700', 'N', 't', '[]'],
];

describe('columnsFromRows', () => {
  it('maps text-format catalog rows to host columns', () => {
    const cols = columnsFromRows(rows);
    expect(cols[0]).toEqual({
      name: 'id',
      typeName: 'bigint',
      typeOid: 20,
      typeCategory: 'N',
      nullable: false,
      enumLabels: [],
    });
    expect(cols[1].enumLabels).toEqual(['sad', 'ok', 'happy']);
    expect(cols[2].nullable).toBe(true);
  });
});

describe('projectColumns', () => {
  const cols = columnsFromRows(rows);
  it('keeps every column when no list is given', () => {
    expect(projectColumns(cols, undefined)).toEqual({ ok: true, columns: cols });
    expect(projectColumns(cols, [])).toEqual({ ok: true, columns: cols });
  });

  it('follows the requested order and names an unknown column', () => {
    const p = projectColumns(cols, ['amount', 'id']);
    expect(p.ok && p.columns.map((c) => c.name)).toEqual(['amount', 'id']);
    expect(projectColumns(cols, ['id', 'mood'])).toEqual({ ok: false, unknown: 'mood' });
  });

  it('announces the key only if all of it is projected', () => {
    expect(projectedPrimaryKey(['id'], cols)).toEqual(['id']);
    expect(projectedPrimaryKey(['id'], cols.slice(1))).toEqual([]);
  });
});

describe('copyOutStatement', () => {
  it('quotes every identifier', () => {
    expect(copyOutStatement({ schema: 'public', table: 'TypeZoo' }, [{ name: 'id' }, { name: 'a"b' }])).toBe(
      'COPY (SELECT "id", "a""b" FROM "public"."TypeZoo") TO STDOUT (FORMAT binary)',
    );
  });
});

describe('catalogFromRows', () => {
  it('names streams so that parseStreamName reads them back', () => {
    const catalog = catalogFromRows([
      ['public', 'users', 'r', '[{"name":"id","type":"integer","nullable":false}]', '["id"]'],
      ['my.s', 'v', 'v', '[]', '[]'],
    ]);
    expect(catalog.streams[0]).toEqual({
      name: 'public.users',
      kind: 'table',
      columns: [{ name: 'id', type: 'integer', nullable: false }],
      primaryKey: ['id'],
    });
    expect(catalog.streams[1].name).toBe('"my.s".v');
    expect(catalog.streams[1].kind).toBe('view');
  });
});

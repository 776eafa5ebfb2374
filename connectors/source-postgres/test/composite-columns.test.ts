import { COMPOSITE_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import { describe, expect, it } from 'vitest';
import { compositeColumnsFromRows, compositeColumnsMetadata, mayHaveComposites } from '../src/composite-columns.js';

describe('composite columns', () => {
  const rows = [
    ['home', 'addr', '[["street","text"],["zip","integer"]]'],
    ['homes', 'addr', '[["street","text"],["zip","integer"]]'],
    ['broken', 'x', '{"not":"a list"}'],
  ];

  it('reads the catalog rows and sends only the stream columns in the schema metadata', () => {
    const composites = compositeColumnsFromRows(rows);
    expect([...composites.keys()]).toEqual(['home', 'homes']);
    expect(compositeColumnsMetadata(composites, [{ name: 'id' }, { name: 'home' }])).toEqual([
      [COMPOSITE_COLUMNS_METADATA, '{"home":{"type":"addr","attributes":[["street","text"],["zip","integer"]]}}'],
    ]);
    expect(compositeColumnsMetadata(composites, [{ name: 'id' }])).toEqual([]);
  });

  it('asks the catalog only when a column may be a composite or an array', () => {
    expect(mayHaveComposites([{ typeCategory: 'N' }, { typeCategory: 'S' }])).toBe(false);
    expect(mayHaveComposites([{ typeCategory: 'C' }])).toBe(true);
    expect(mayHaveComposites([{ typeCategory: 'A' }])).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { columnHistoryOf } from '../src/column-history.js';
import { evolutionDdl } from '../src/evolution-ddl.js';

describe('columnHistoryOf', () => {
  it('reads renames and fills from the frame metadata, ignoring malformed entries', () => {
    const history = columnHistoryOf({
      fields: [],
      metadata: {
        'rapidbyte.renamed_columns': '{"title":"name","x":7,"same":"same"}',
        'rapidbyte.column_fill': '{"s":{"value":"new"},"t":{"unknown":true},"u":{}}',
      },
    });
    expect([...history.renamed]).toEqual([['title', 'name']]);
    expect([...history.fill]).toEqual([
      ['s', { value: 'new' }],
      ['t', { unknown: true }],
    ]);
    expect(columnHistoryOf({ fields: [], metadata: { 'rapidbyte.renamed_columns': '[' } }).renamed.size).toBe(0);
    expect(columnHistoryOf(undefined).fill.size).toBe(0);
  });
});

describe('evolutionDdl of an added column whose existing rows hold a constant', () => {
  it('adds it with that default (no rewrite: existing rows take it), then drops the default', () => {
    const source = { name: 'status', typeName: 'text', category: 'S', nullable: true, enumLabels: [] };
    const ddl = evolutionDdl('raw', 'Items', { column: 'status', change: 'new_column', action: 'add', source }, "it's");
    expect(ddl.ok && ddl.statements).toEqual([
      `ALTER TABLE "raw"."Items" ADD COLUMN IF NOT EXISTS "status" text DEFAULT 'it''s'::text`,
      'ALTER TABLE "raw"."Items" ALTER COLUMN "status" DROP DEFAULT',
    ]);
    const plain = evolutionDdl('raw', 'Items', { column: 'status', change: 'new_column', action: 'add', source });
    expect(plain.ok && plain.statements).toEqual(['ALTER TABLE "raw"."Items" ADD COLUMN IF NOT EXISTS "status" text']);
  });
});

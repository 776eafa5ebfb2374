import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { inferRowColumns, rowsToIpc } from './rows-to-ipc.js';

const decode = (ipc: Uint8Array) => tableFromIPC(ipc);

describe('rowsToIpc', () => {
  it('infers int64, float64, boolean and string; NULLs stay NULL', () => {
    const rows = [
      { id: 1, score: 1.5, ok: true, name: 'a', tags: [1] },
      { id: 2, score: 2, ok: null, name: null },
    ];
    expect(inferRowColumns(rows).map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:int64',
      'score:float64',
      'ok:boolean',
      'name:string',
      'tags:string',
    ]);
    const table = decode(rowsToIpc(rows));
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64', 'Bool', 'Utf8', 'Utf8']);
    expect(table.getChild('id')?.toArray()).toEqual(new BigInt64Array([1n, 2n]));
    expect(table.getChild('ok')?.get(1)).toBeNull();
    expect(table.getChild('tags')?.get(0)).toBe('[1]');
  });

  it('builds zero rows and zero columns, and keeps schema metadata', () => {
    expect(decode(rowsToIpc([], { columns: [{ name: 'id', type: 'int64' }] })).numRows).toBe(0);
    expect(decode(rowsToIpc([{}, {}])).numCols).toBe(0);
    const table = decode(rowsToIpc([{ id: 1 }], { metadata: { 'rapidbyte.primary_key': '["id"]' } }));
    expect(table.schema.metadata.get('rapidbyte.primary_key')).toBe('["id"]');
  });

  it('parses declared timestamps and rejects values that do not fit, naming the column', () => {
    const table = decode(
      rowsToIpc([{ at: '2024-01-01T00:00:00.123Z' }], { columns: [{ name: 'at', type: 'timestamp' }] }),
    );
    expect(String(table.schema.fields[0]?.type)).toBe('Timestamp<MICROSECOND, UTC>');
    expect(table.getChild('at')?.get(0)).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 123));
    expect(() => rowsToIpc([{ n: 'x' }], { columns: [{ name: 'n', type: 'int64' }] })).toThrow(
      expect.objectContaining({ code: 'BAD_VALUE', column: 'n' }),
    );
    expect(() => rowsToIpc([{}], { columns: [{ name: 'n', type: 'int64', nullable: false }] })).toThrow(
      expect.objectContaining({ code: 'NULL_IN_NOT_NULL' }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { destSettings } from '../src/dest-config.js';
import { grantStatements, swapBackoffMs } from '../src/swap-queries.js';
import { columnsFromRows, copyColumns, copyInStatement, generatedColumnsFromRows } from '../src/target-catalog.js';

const target = columnsFromRows([
  ['id', 'bigint', '20', 'N', 'f', '[]'],
  ['Name', 'text', '25', 'S', 't', '[]'],
  ['mood', 'mood', '16400', 'E', 't', '["a","b"]'],
  ['loaded_at', 'timestamp with time zone', '1184', 'D', 't', '[]'],
]);

describe('copyColumns', () => {
  it('lists target columns in frame-field order and leaves the rest to their defaults', () => {
    const r = copyColumns([{ name: 'mood' }, { name: 'id' }, { name: 'Name' }], target);
    expect(r.ok && r.columns.map((c) => [c.name, c.typeOid])).toEqual([
      ['mood', 16400],
      ['id', 20],
      ['Name', 25],
    ]);
    expect(r.ok && r.columns[0].enumLabels).toEqual(['a', 'b']);
  });

  it('names a field the target lacks (names are case-sensitive)', () => {
    expect(copyColumns([{ name: 'id' }, { name: 'name' }], target)).toEqual({ ok: false, missing: 'name' });
  });
});

describe('copyInStatement', () => {
  it('quotes the table and every column', () => {
    expect(copyInStatement('raw', 'Users', [{ name: 'id' }, { name: 'a"b' }])).toBe(
      'COPY "raw"."Users" ("id", "a""b") FROM STDIN (FORMAT binary)',
    );
  });

  it('leaves out the column list for a table of zero columns (`()` is a syntax error)', () => {
    expect(copyInStatement('raw', 'z', [])).toBe('COPY "raw"."z" FROM STDIN (FORMAT binary)');
  });

  it('adds FREEZE when asked (a table created in the same transaction)', () => {
    expect(copyInStatement('raw', 'u', [{ name: 'id' }], true)).toBe(
      'COPY "raw"."u" ("id") FROM STDIN (FORMAT binary, FREEZE)',
    );
  });
});

describe('grantStatements', () => {
  it('re-applies grants to PUBLIC and to quoted roles, with grant option', () => {
    expect(
      grantStatements('"raw"."t__rb_stage"', [
        { grantee: undefined, privilege: 'SELECT', grantable: false },
        { grantee: 'Reporting Team', privilege: 'SELECT', grantable: true },
        { grantee: 'etl', privilege: 'INSERT', grantable: false },
        { grantee: 'etl', privilege: 'BOGUS; drop', grantable: false },
      ]),
    ).toEqual([
      'GRANT SELECT ON "raw"."t__rb_stage" TO PUBLIC',
      'GRANT SELECT ON "raw"."t__rb_stage" TO "Reporting Team" WITH GRANT OPTION',
      'GRANT INSERT ON "raw"."t__rb_stage" TO "etl"',
    ]);
  });
});

describe('swapBackoffMs and destSettings', () => {
  it('doubles from 100 ms and caps at 5 s', () => {
    expect([0, 1, 2, 5, 6, 20].map(swapBackoffMs)).toEqual([100, 200, 400, 3200, 5000, 5000]);
  });

  it('applies defaults', () => {
    expect(destSettings({})).toEqual({
      schema: 'public',
      lockTimeoutMs: 5000,
      swapRetries: 5,
      cdc: { softDelete: false, syncedAt: false },
      deferIndexes: true,
      copyFreeze: true,
    });
    expect(
      destSettings({
        schema: 'raw',
        lock_timeout_ms: 100,
        swap_retries: 0,
        cdc: { soft_delete: true },
        defer_indexes: false,
        copy_freeze: false,
      }),
    ).toEqual({
      schema: 'raw',
      lockTimeoutMs: 100,
      swapRetries: 0,
      cdc: { softDelete: true, syncedAt: false },
      deferIndexes: false,
      copyFreeze: false,
    });
  });
});

describe('generatedColumnsFromRows', () => {
  it('splits identity ALWAYS columns from stored generated ones', () => {
    expect(
      generatedColumnsFromRows([
        ['id', 'a'],
        ['Total', 's'],
        ['x', 'a'],
      ]),
    ).toEqual({ identityAlways: ['id', 'x'], generated: ['Total'] });
    expect(generatedColumnsFromRows([])).toEqual({ identityAlways: [], generated: [] });
  });
});

import type { PgColumn } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { refuseDomainOverOidAlias } from '../src/oid-alias-cdc.js';
import { carriedFrom, carryOidAliasesAsText, isOidAliasType, selectColumn } from '../src/oid-alias-columns.js';
import { cdcSnapshotCopy } from '../src/cdc-snapshot-copy.js';
import { copyOutStatement } from '../src/copy-out-statement.js';

function col(name: string, typeName: string, typeOid: number, typeCategory = 'N'): PgColumn {
  return { name, typeName, typeOid, typeCategory, nullable: true, enumLabels: [] };
}

const columns = [
  col('id', 'integer', 23),
  col('Rel', 'regclass', 2205),
  col('types', 'regtype[]', 2211, 'A'),
  col('role', 'regrole', 4096),
  col('n', 'oid', 26),
];

describe('carryOidAliasesAsText', () => {
  it('turns every OID-alias column (and arrays of them) into text, leaves the rest (oid too) alone', () => {
    const out = carryOidAliasesAsText(columns);
    expect(out.map((c) => [c.name, c.typeName, c.typeOid, c.typeCategory])).toEqual([
      ['id', 'integer', 23, 'N'],
      ['Rel', 'text', 25, 'S'],
      ['types', 'text[]', 1009, 'A'],
      ['role', 'text', 25, 'S'],
      ['n', 'oid', 26, 'N'],
    ]);
    expect(out.map(carriedFrom)).toEqual([undefined, 'regclass', 'regtype[]', 'regrole', undefined]);
    expect(out[0]).toBe(columns[0]);
  });

  it('knows all eleven types and their arrays, and nothing else', () => {
    for (const oid of [
      24, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096, 4191, 1008, 2207, 2208, 2209, 2210, 2211, 3735, 3770,
      4090, 4097, 4192,
    ])
      expect(isOidAliasType(oid)).toBe(true);
    for (const oid of [23, 25, 26, 1009, 16384]) expect(isOidAliasType(oid)).toBe(false);
  });
});

describe('selecting a carried column as text', () => {
  const carried = carryOidAliasesAsText(columns);

  it('casts in the COPY select, keeping the column name', () => {
    expect(selectColumn(carried[1]!)).toBe('"Rel"::text AS "Rel"');
    expect(selectColumn(carried[2]!)).toBe('"types"::text[] AS "types"');
    expect(selectColumn(carried[0]!)).toBe('"id"');
    expect(copyOutStatement({ schema: 'public', table: 'T' }, carried)).toBe(
      'COPY (SELECT "id", "Rel"::text AS "Rel", "types"::text[] AS "types", "role"::text AS "role", "n" FROM "public"."T") TO STDOUT (FORMAT binary)',
    );
    expect(cdcSnapshotCopy('public', 'T', carried.slice(0, 2), undefined, 'p').sql).toBe(
      'COPY (SELECT "id", "Rel"::text AS "Rel" FROM "public"."T") TO STDOUT (FORMAT binary)',
    );
  });
});

describe('refuseDomainOverOidAlias', () => {
  const carried = carryOidAliasesAsText(columns);

  it('passes columns whose table type is the OID alias itself', () => {
    expect(() =>
      refuseDomainOverOidAlias(
        'public.T',
        carried,
        new Map([
          ['id', 23],
          ['Rel', 2205],
          ['types', 2211],
          ['role', 4096],
          ['n', 26],
        ]),
      ),
    ).not.toThrow();
  });

  it('refuses a domain over one, naming the stream, the column and the way out', () => {
    expect(() => refuseDomainOverOidAlias('public.T', carried, new Map([['Rel', 16500]]))).toThrow(
      expect.objectContaining({
        code: 'CDC_TYPE_UNSUPPORTED',
        message: expect.stringMatching(
          /^public\.T: column "Rel" is a domain over regclass.*columns list.*full_refresh/,
        ),
      }),
    );
  });
});

import type { PgColumn } from '@rapidbyte/sdk';
import { describe, expect, it } from 'vitest';
import { refuseDomainOverOidAlias } from '../src/oid-alias-cdc.js';
import { selectColumn } from '../src/oid-alias-columns.js';
import { carryTextOnlyAsText, refuseTextOnlyArraysInCdc } from '../src/text-only-columns.js';

function col(name: string, typeName: string, typeOid: number, typeCategory = 'U'): PgColumn {
  return { name, typeName, typeOid, typeCategory, nullable: true, enumLabels: [] };
}

const columns = [
  col('id', 'integer', 23, 'N'),
  col('isbn', 'isbn13', 16500),
  col('isbns', 'isbn13[]', 16501, 'A'),
  col('range', 'seg', 16600),
  col('attrs', 'hstore', 16700),
];

describe('carryTextOnlyAsText', () => {
  it('decodes a column without a binary form as text but keeps its type name, so the destination creates the exact type', () => {
    const out = carryTextOnlyAsText(columns, new Set(['isbn', 'isbns', 'range']));
    expect(out.map((c) => [c.name, c.typeName, c.typeOid, c.typeCategory])).toEqual([
      ['id', 'integer', 23, 'N'],
      ['isbn', 'isbn13', 25, 'U'],
      ['isbns', 'isbn13[]', 25, 'A'],
      ['range', 'seg', 25, 'U'],
      ['attrs', 'hstore', 16700, 'U'],
    ]);
  });

  it('selects such a column (an array as one array literal) as text in the COPY', () => {
    const out = carryTextOnlyAsText(columns, new Set(['isbn', 'isbns']));
    expect(out.map(selectColumn)).toEqual([
      '"id"',
      '"isbn"::text AS "isbn"',
      '"isbns"::text AS "isbns"',
      '"range"',
      '"attrs"',
    ]);
  });
});

describe('refuseTextOnlyArraysInCdc', () => {
  it('refuses an array of a type without a send function, naming the column and the way out', () => {
    const out = carryTextOnlyAsText(columns, new Set(['isbn', 'isbns']));
    expect(() => refuseTextOnlyArraysInCdc('public.books', out)).toThrow(
      expect.objectContaining({
        code: 'CDC_TYPE_UNSUPPORTED',
        message: expect.stringContaining(
          'public.books: column "isbns" is an array of a type without a binary send function (isbn13[]);',
        ),
      }),
    );
  });

  it('lets scalars through (pgoutput sends them as text), and they are not taken for domains over an OID alias', () => {
    const out = carryTextOnlyAsText(columns, new Set(['isbn', 'range']));
    expect(() => refuseTextOnlyArraysInCdc('public.books', out)).not.toThrow();
    expect(() =>
      refuseDomainOverOidAlias(
        'public.books',
        out,
        new Map([
          ['isbn', 16500],
          ['range', 16600],
        ]),
      ),
    ).not.toThrow();
  });
});

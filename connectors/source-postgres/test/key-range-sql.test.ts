import { describe, expect, it } from 'vitest';
import { keyChunkCopyStatement, keyChunkUpperQuery, keyRangePredicate } from '../src/key-range-sql.js';
import { inlineBinder, paramBinder } from '../src/value-binder.js';

const relation = { schema: 'Sales', table: 'Order' };
const composite = [
  { name: 'Region', type: 'text' },
  { name: 'order', type: 'integer' },
];

describe('keyChunkUpperQuery', () => {
  it('starts at the beginning without an after tuple', () => {
    const q = keyChunkUpperQuery(relation, [{ name: 'id', type: 'bigint' }], undefined, 500);
    expect(q.sql).toBe('SELECT r."id"::text FROM "Sales"."Order" AS r ORDER BY r."id" OFFSET $1::bigint LIMIT 1');
    expect(q.params).toEqual(['499']);
  });

  it('compares a composite key as a row with typed parameters', () => {
    const q = keyChunkUpperQuery(relation, composite, ['EU', '7'], 3);
    expect(q.sql).toBe(
      'SELECT r."Region"::text, r."order"::text FROM "Sales"."Order" AS r WHERE (r."Region", r."order") > ($1::text, $2::integer) ' +
        'ORDER BY r."Region", r."order" OFFSET $3::bigint LIMIT 1',
    );
    expect(q.params).toEqual(['EU', '7', '2']);
  });

  it('sorts by the typed columns, not by the text output columns of the same name (found against a real database)', () => {
    const q = keyChunkUpperQuery(relation, [{ name: 'n', type: 'integer' }], undefined, 10);
    expect(q.sql).not.toMatch(/ORDER BY "n"/);
    expect(q.sql).toContain('ORDER BY r."n"');
  });

  it('refuses a tuple of the wrong width', () => {
    expect(() => keyChunkUpperQuery(relation, composite, ['EU'], 3)).toThrow(RangeError);
  });

  it('stays inside a shard: an inclusive limit next to the after tuple', () => {
    const q = keyChunkUpperQuery(relation, composite, ['EU', '7'], 3, ['US', '1']);
    expect(q.sql).toBe(
      'SELECT r."Region"::text, r."order"::text FROM "Sales"."Order" AS r WHERE (r."Region", r."order") > ($1::text, $2::integer) ' +
        'AND (r."Region", r."order") <= ($3::text, $4::integer) ORDER BY r."Region", r."order" OFFSET $5::bigint LIMIT 1',
    );
    expect(q.params).toEqual(['EU', '7', 'US', '1', '2']);
    const first = keyChunkUpperQuery(relation, [{ name: 'id', type: 'bigint' }], undefined, 10, ['99']);
    expect(first.sql).toContain('WHERE (r."id") <= ($1::bigint) ORDER BY');
  });
});

describe('keyRangePredicate', () => {
  it('is open on either side', () => {
    expect(keyRangePredicate(paramBinder(), composite, undefined, undefined)).toBeUndefined();
    const b = paramBinder();
    expect(keyRangePredicate(b, composite, undefined, ['EU', '9'])).toBe(
      '("Region", "order") <= ($1::text, $2::integer)',
    );
    expect(b.params).toEqual(['EU', '9']);
  });
});

describe('keyChunkCopyStatement', () => {
  const columns = [{ name: 'Region' }, { name: 'order' }, { name: 'Note' }];

  it('inlines quoted, typed literals (COPY takes no parameters) and orders by the key', () => {
    expect(keyChunkCopyStatement(relation, columns, composite, ['EU', '7'], ["O'Hare", '12'])).toBe(
      'COPY (SELECT "Region", "order", "Note" FROM "Sales"."Order" ' +
        `WHERE ("Region", "order") > ('EU'::text, '7'::integer) AND ("Region", "order") <= ('O''Hare'::text, '12'::integer) ` +
        'ORDER BY "Region", "order") TO STDOUT (FORMAT binary)',
    );
  });

  it('the last chunk has no upper bound; the first no lower bound', () => {
    expect(keyChunkCopyStatement(relation, columns, composite, ['EU', '7'], undefined)).toContain(
      `WHERE ("Region", "order") > ('EU'::text, '7'::integer) ORDER BY`,
    );
    expect(keyChunkCopyStatement(relation, columns, composite, undefined, ['EU', '7'])).toContain(
      `WHERE ("Region", "order") <= ('EU'::text, '7'::integer) ORDER BY`,
    );
  });

  it('escapes backslashes and quotes in values and identifiers', () => {
    const sql = keyChunkCopyStatement(
      { schema: 'a"b', table: 'select' },
      [{ name: 'x"y' }],
      [{ name: 'x"y', type: 'text' }],
      ['c:\\dir'],
      undefined,
    );
    expect(sql).toBe(
      `COPY (SELECT "x""y" FROM "a""b"."select" WHERE ("x""y") > (E'c:\\\\dir'::text) ORDER BY "x""y") TO STDOUT (FORMAT binary)`,
    );
  });
});

describe('value binders', () => {
  it('number parameters in call order and inline literals quoted', () => {
    const b = paramBinder();
    expect([b.bind('1', 'integer'), b.bind('x', 'text')]).toEqual(['$1::integer', '$2::text']);
    expect(inlineBinder().bind("it's", 'text')).toBe(`'it''s'::text`);
  });
});

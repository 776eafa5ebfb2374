import { describe, expect, it } from 'vitest';
import {
  boundaryKeysQuery,
  cursorChunkCopyStatement,
  cursorChunkUpperQuery,
  cursorLowPredicate,
  nullCursorCountSql,
  sentinelCopyStatement,
  sentinelCountsSql,
  sentinelKeysQuery,
  unorderedPredicate,
  type CursorRead,
} from '../src/cursor-sql.js';
import { isCursorSentinel, sentinelPredicate } from '../src/cursor-sentinel.js';
import { paramBinder } from '../src/value-binder.js';

const read: CursorRead = {
  relation: { schema: 'public', table: 'Events' },
  cursor: { name: 'updatedAt', type: 'timestamp with time zone' },
  key: [
    { name: 'Tenant', type: 'integer' },
    { name: 'user', type: 'text' },
  ],
};
const noKey: CursorRead = { ...read, key: [] };
const columns = [{ name: 'Tenant' }, { name: 'user' }, { name: 'updatedAt' }];

describe('cursorLowPredicate', () => {
  it('reads every non-NULL cursor on the first run', () => {
    expect(cursorLowPredicate(paramBinder(), read, { kind: 'all' })).toBe('"updatedAt" IS NOT NULL');
  });

  it('resumes with >= and a typed parameter', () => {
    const b = paramBinder();
    expect(cursorLowPredicate(b, read, { kind: 'from', value: '2024-01-01 00:00:00.123456+00' })).toBe(
      '"updatedAt" >= $1::timestamp with time zone',
    );
    expect(b.params).toEqual(['2024-01-01 00:00:00.123456+00']);
  });

  it('subtracts a lookback interval', () => {
    const b = paramBinder();
    expect(cursorLowPredicate(b, read, { kind: 'from', value: '2024-01-01 00:00:00+00', lookback: '5 minutes' })).toBe(
      '"updatedAt" >= $1::timestamp with time zone - $2::interval',
    );
    expect(b.params).toEqual(['2024-01-01 00:00:00+00', '5 minutes']);
  });

  it('excludes the boundary keys already delivered, as one JSON value', () => {
    const b = paramBinder();
    const v = '2024-01-01 00:00:00+00';
    expect(
      cursorLowPredicate(b, read, {
        kind: 'from',
        value: v,
        exclude: {
          value: v,
          keys: [
            ['1', 'a'],
            ['2', 'b"c'],
          ],
        },
      }),
    ).toBe(
      '"updatedAt" >= $1::timestamp with time zone AND ("updatedAt" = $2::timestamp with time zone AND ' +
        '("Tenant", "user") IN (SELECT (b.k->>0)::integer, (b.k->>1)::text FROM jsonb_array_elements($3::jsonb) AS b(k))) IS NOT TRUE',
    );
    expect(b.params).toEqual([v, v, '[["1","a"],["2","b\\"c"]]']);
  });

  it('adds no exclusion for an empty boundary or without a key', () => {
    const from = { kind: 'from', value: '5', exclude: { value: '5', keys: [] } } as const;
    expect(cursorLowPredicate(paramBinder(), read, from)).toBe('"updatedAt" >= $1::timestamp with time zone');
    const noKeyFrom = { kind: 'from', value: '5', exclude: { value: '5', keys: [['1']] } } as const;
    expect(cursorLowPredicate(paramBinder(), noKey, noKeyFrom)).toBe('"updatedAt" >= $1::timestamp with time zone');
  });

  it('continues strictly after the previous chunk', () => {
    expect(cursorLowPredicate(paramBinder(), read, { kind: 'after', value: '9' })).toBe(
      '"updatedAt" > $1::timestamp with time zone',
    );
  });
});

describe('cursorChunkUpperQuery', () => {
  it('takes the greatest of the first n cursor values, as text', () => {
    const q = cursorChunkUpperQuery(read, { kind: 'after', value: '2024-01-01 00:00:00+00' }, 1000);
    expect(q.sql).toBe(
      'SELECT s.v::text FROM (SELECT "updatedAt" AS v FROM "public"."Events" WHERE "updatedAt" > $1::timestamp with time zone ' +
        `AND NOT "updatedAt" = 'infinity'::timestamp with time zone ` +
        'ORDER BY "updatedAt" LIMIT $2::bigint) AS s ORDER BY s.v DESC LIMIT 1',
    );
    expect(q.params).toEqual(['2024-01-01 00:00:00+00', '1000']);
  });

  it('never bounds a chunk by a sentinel: numeric NaN and Infinity are left out, integers and text have none', () => {
    const numeric: CursorRead = { ...read, cursor: { name: 'n', type: 'numeric' } };
    expect(cursorChunkUpperQuery(numeric, { kind: 'all' }, 10).sql).toContain(
      `WHERE "n" IS NOT NULL AND NOT ("n" = 'NaN'::numeric OR ("n" > 0 AND "n" + 1 = "n")) ORDER BY`,
    );
    for (const type of ['bigint', 'text', 'integer']) {
      expect(cursorChunkUpperQuery({ ...read, cursor: { name: 'c', type } }, { kind: 'all' }, 10).sql).toContain(
        'WHERE "c" IS NOT NULL ORDER BY',
      );
    }
  });
});

describe('sentinel rows', () => {
  it('are counted by value and copied in cursor, key order', () => {
    expect(sentinelCountsSql(read)).toBe(
      `SELECT "updatedAt"::text, count(*)::text FROM "public"."Events" WHERE "updatedAt" = 'infinity'::timestamp with time zone GROUP BY "updatedAt" ORDER BY "updatedAt"`,
    );
    expect(sentinelCopyStatement(read, columns)).toBe(
      `COPY (SELECT "Tenant", "user", "updatedAt" FROM "public"."Events" WHERE "updatedAt" = 'infinity'::timestamp with time zone ` +
        'ORDER BY "updatedAt", "Tenant", "user") TO STDOUT (FORMAT binary)',
    );
  });

  it('under append leave out the keys delivered before, and list the keys of every sentinel row', () => {
    const sql = sentinelCopyStatement(read, columns, [['1', 'a']]);
    expect(sql).toContain(
      `WHERE "updatedAt" = 'infinity'::timestamp with time zone AND (("Tenant", "user") IN (SELECT`,
    );
    expect(sql).toContain(`jsonb_array_elements('[["1","a"]]'::jsonb) AS b(k))) IS NOT TRUE ORDER BY`);
    expect(sentinelKeysQuery(read)).toBe(
      `SELECT r."Tenant"::text, r."user"::text FROM "public"."Events" AS r WHERE r."updatedAt" = 'infinity'::timestamp with time zone ORDER BY r."Tenant", r."user"`,
    );
    expect(sentinelKeysQuery(noKey)).toBeUndefined();
  });

  it('do not exist for types without one', () => {
    const ints: CursorRead = { ...read, cursor: { name: 'id', type: 'bigint' } };
    expect(sentinelCountsSql(ints)).toBeUndefined();
    expect(sentinelCopyStatement(ints, columns)).toBeUndefined();
  });
});

describe('NULL cursors (on_null_cursor)', () => {
  const ints: CursorRead = { ...read, cursor: { name: 'id', type: 'bigint' } };

  it('are counted for the fail/skip check', () => {
    expect(nullCursorCountSql(read)).toBe('SELECT count(*)::text FROM "public"."Events" WHERE "updatedAt" IS NULL');
  });

  it('are not read by default: no unordered predicate for a type without sentinels, the sentinel one otherwise', () => {
    expect(unorderedPredicate(ints)).toBeUndefined();
    expect(unorderedPredicate(read)).toBe(`"updatedAt" = 'infinity'::timestamp with time zone`);
  });

  it('under include are read with the sentinel rows, for any cursor type, and never bound a chunk', () => {
    const withNulls: CursorRead = { ...ints, nulls: true };
    expect(unorderedPredicate(withNulls)).toBe('"id" IS NULL');
    expect(unorderedPredicate({ ...read, nulls: true }, 'r')).toBe(
      `(r."updatedAt" = 'infinity'::timestamp with time zone OR r."updatedAt" IS NULL)`,
    );
    expect(sentinelCountsSql(withNulls)).toContain('WHERE "id" IS NULL GROUP BY "id"');
    expect(sentinelCopyStatement(withNulls, columns)).toContain('"id" IS NULL');
    expect(sentinelCopyStatement(withNulls, columns, [['1', 'a']])).toMatch(/"id" IS NULL AND \(.*\) IS NOT TRUE/);
    expect(sentinelKeysQuery(withNulls)).toContain('WHERE r."id" IS NULL');
    expect(cursorChunkUpperQuery(withNulls, { kind: 'all' }, 10).sql).toContain(
      '"id" IS NOT NULL AND NOT "id" IS NULL',
    );
  });
});

describe('cursor sentinels', () => {
  it('are infinity for dates and timestamps, NaN and Infinity for numeric', () => {
    for (const type of ['date', 'timestamp without time zone', 'timestamp with time zone']) {
      expect(isCursorSentinel('infinity', type)).toBe(true);
      expect(isCursorSentinel('-infinity', type)).toBe(false); // sorts first: harmless as a cursor
      expect(isCursorSentinel('2024-01-01', type)).toBe(false);
    }
    expect(isCursorSentinel('NaN', 'numeric')).toBe(true);
    expect(isCursorSentinel('Infinity', 'numeric')).toBe(true);
    expect(isCursorSentinel('-Infinity', 'numeric')).toBe(false);
    expect(isCursorSentinel('1e10', 'numeric')).toBe(false);
    expect(isCursorSentinel('infinity', 'text')).toBe(false);
    expect(sentinelPredicate('c', 'date', 'r')).toBe(`r."c" = 'infinity'::date`);
  });
});

describe('cursorChunkCopyStatement', () => {
  it('bounds the chunk by <= upper (ties included), orders by cursor then key, inlines literals', () => {
    expect(cursorChunkCopyStatement(read, columns, { kind: 'all' }, '2024-01-02 00:00:00+00')).toBe(
      'COPY (SELECT "Tenant", "user", "updatedAt" FROM "public"."Events" WHERE "updatedAt" IS NOT NULL AND ' +
        `"updatedAt" <= '2024-01-02 00:00:00+00'::timestamp with time zone ORDER BY "updatedAt", "Tenant", "user") TO STDOUT (FORMAT binary)`,
    );
  });

  it('carries the boundary exclusion and the lookback into the COPY', () => {
    const sql = cursorChunkCopyStatement(
      read,
      columns,
      { kind: 'from', value: '3', exclude: { value: '3', keys: [["O'x", '1']] } },
      '9',
    );
    expect(sql).toContain(
      `"updatedAt" >= '3'::timestamp with time zone AND ("updatedAt" = '3'::timestamp with time zone AND`,
    );
    expect(sql).toContain(
      `jsonb_array_elements('[["O''x","1"]]'::jsonb) AS b(k))) IS NOT TRUE AND "updatedAt" <= '9'::timestamp with time zone`,
    );
    const lb = cursorChunkCopyStatement(read, columns, { kind: 'from', value: '3', lookback: '1 day' }, '9');
    expect(lb).toContain(`"updatedAt" >= '3'::timestamp with time zone - '1 day'::interval AND`);
  });

  it('orders by the cursor alone without a key', () => {
    expect(cursorChunkCopyStatement(noKey, columns, { kind: 'all' }, '1')).toContain('ORDER BY "updatedAt")');
  });
});

describe('boundaryKeysQuery', () => {
  it('selects the key tuples at the boundary value as text', () => {
    const q = boundaryKeysQuery(read, '2024-01-01 00:00:00+00');
    expect(q.sql).toBe(
      'SELECT r."Tenant"::text, r."user"::text FROM "public"."Events" AS r WHERE r."updatedAt" = $1::timestamp with time zone ORDER BY r."Tenant", r."user"',
    );
    expect(q.params).toEqual(['2024-01-01 00:00:00+00']);
  });
});

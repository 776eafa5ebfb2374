import { createHash } from 'node:crypto';
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  type Data,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildColumn } from './column-builder.js';
import { cellJson, readColumn } from './column-values.js';
import { castFrame } from './frame-cast.js';
import { filterFrame } from './frame-filter.js';
import { hashColumn, maskColumn } from './frame-hash.js';
import { FrameOpError } from './frame-op-error.js';
import { takeRows } from './take-rows.js';

function batch(columns: Record<string, Data>, metadata: Record<string, Record<string, string>> = {}): RecordBatch {
  const fields = Object.entries(columns).map(
    ([name, d]) => new Field(name, d.type, true, new Map(Object.entries(metadata[name] ?? {}))),
  );
  const length = Object.values(columns)[0]?.length ?? 0;
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children: Object.values(columns) }),
  );
}
const text = (values: (string | null)[]): Data => buildColumn({ type: new Utf8(), values });
const int64 = (values: (bigint | null)[]): Data => buildColumn({ type: new Int64(), values });
const cells = (b: RecordBatch, name: string): unknown[] =>
  readColumn(b.data.children[b.schema.fields.findIndex((f) => f.name === name)] as Data).map(cellJson);

describe('castFrame', () => {
  it('casts text to every target type, NULL staying NULL, and records the Postgres type', () => {
    const b = batch({ v: text(['12', null, '-3']) }, { v: { 'rapidbyte.pg_type': 'text', 'rapidbyte.pg_oid': '25' } });
    const cases: [string, unknown[], string][] = [
      ['int64', [12, null, -3], 'bigint'],
      ['int16', [12, null, -3], 'smallint'],
      ['float64', [12, null, -3], 'double precision'],
      ['decimal(6,2)', ['12.00', null, '-3.00'], 'numeric(6,2)'],
      ['utf8', ['12', null, '-3'], 'text'],
    ];
    for (const [type, expected, pg] of cases) {
      const out = castFrame(b, [['v', type]]);
      expect(cells(out, 'v')).toEqual(expected);
      expect(out.schema.fields[0]?.metadata.get('rapidbyte.pg_type')).toBe(pg);
    }
  });

  it('int8 beyond 2^53 survives int64 -> utf8 -> int64 exactly', () => {
    const big = 9007199254740993n;
    const out = castFrame(castFrame(batch({ v: int64([big, -big]) }), [['v', 'utf8']]), [['v', 'int64']]);
    expect(readColumn(out.data.children[0] as Data)).toEqual([big, -big]);
  });

  it('decimals round half away from zero and respect precision', () => {
    const out = castFrame(batch({ v: text(['1.005', '-1.005', '0.004', '1e2']) }), [['v', 'numeric(6,2)']]);
    expect(cells(out, 'v')).toEqual(['1.01', '-1.01', '0.00', '100.00']);
    expect(() => castFrame(batch({ v: text(['10000']) }), [['v', 'decimal(4,0)']])).toThrow(
      /does not fit numeric\(4,0\)/,
    );
  });

  it('timestamps keep microseconds; dates and bools parse', () => {
    const out = castFrame(
      batch({
        t: text(['2024-01-02T03:04:05.123456Z', '2024-01-02 03:04:05+02']),
        d: text(['2024-02-29', null]),
        b: text(['yes', 'f']),
      }),
      [
        ['t', 'timestamptz'],
        ['d', 'date'],
        ['b', 'bool'],
      ],
    );
    expect(cells(out, 't')).toEqual(['2024-01-02T03:04:05.123456Z', '2024-01-02T01:04:05Z']);
    expect(cells(out, 'd')).toEqual(['2024-02-29', null]);
    expect(cells(out, 'b')).toEqual([true, false]);
    expect(out.schema.fields.map((f) => f.type)).toEqual([new TimestampMicrosecond('UTC'), new DateDay(), new Bool()]);
  });

  it('a value that does not cast names column, row and value', () => {
    try {
      castFrame(batch({ v: text(['1', 'x1']) }), [['v', 'int32']]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FrameOpError);
      expect((e as FrameOpError).code).toBe('CAST_FAILED');
      expect((e as FrameOpError).details).toEqual({ column: 'v', row: 1, value: '"x1"' });
    }
    expect(() => castFrame(batch({ v: int64([2n ** 40n]) }), [['v', 'int32']])).toThrow(/out of range/);
    expect(() => castFrame(batch({ v: text(['1']) }), [['v', 'money']])).toThrow(/allowed: int16/);
    expect(() => castFrame(batch({ v: text(['1']) }), [['w', 'int64']])).toThrow(/no column "w"/);
  });
});

describe('filterFrame', () => {
  const b = batch({ id: int64([1n, 2n, 3n, 1n, null]), s: text(['a', null, 'zz', 'b', 'a']) });

  it('splits rows, first broken rule wins, unique remembers keys across frames', () => {
    const seen = new Map<string, Set<string>>();
    const rules = JSON.stringify([
      { column: 's', not_null: true, regex: '^[a-z]$' },
      { column: 'id', unique: true },
    ]);
    const r = filterFrame(b, rules, 10, seen);
    expect(cells(r.passed, 'id')).toEqual([1, null]);
    expect(r.failedCount).toBe(3);
    expect(r.failures.map((f) => [f.row, f.rule])).toEqual([
      [1, 'not_null'],
      [2, 'regex'],
      [3, 'unique'],
    ]);
    expect(r.failures[2]?.record).toEqual({ id: 1, s: 'b' });
    const again = filterFrame(batch({ id: int64([1n, 9n]), s: text(['a', 'a']) }), rules, 0, seen);
    expect(again.failedCount).toBe(1);
    expect(again.failures).toEqual([]);
    expect(cells(again.passed, 'id')).toEqual([9]);
  });

  it('range and allowed_values; zero rows; a bad rule is BAD_PREDICATE', () => {
    const r = filterFrame(
      b,
      JSON.stringify([
        { column: 'id', range: { min: 2, max: 2 } },
        { column: 's', allowed_values: ['a'] },
      ]),
      10,
      new Map(),
    );
    expect(r.failures.map((f) => f.reason)).toEqual([
      '1 is below the minimum 2',
      '3 is above the maximum 2',
      '1 is below the minimum 2',
    ]);
    expect(filterFrame(takeRows(b, []), '[{"column":"id","not_null":true}]', 1, new Map()).passed.numRows).toBe(0);
    expect(() => filterFrame(b, '[{"column":"id","nope":1}]', 1, new Map())).toThrow(/unknown key nope/);
  });
});

describe('takeRows', () => {
  it('copies flat columns of every layout with their nulls', () => {
    const dec = buildColumn({ type: new Decimal(2, 10, 128), values: [123n, null, -5n] });
    const bools = buildColumn({ type: new Bool(), values: [true, false, null] });
    const b = batch({ d: dec, b: bools, s: text(['x', 'yy', null]) });
    const t = takeRows(b, [0, 2]);
    expect(cells(t, 'd')).toEqual(['1.23', '-0.05']);
    expect(cells(t, 'b')).toEqual([true, null]);
    expect(cells(t, 's')).toEqual(['x', null]);
  });
});

describe('hashColumn / maskColumn', () => {
  const b = batch({ id: int64([1n, null]), e: text(['a@x', null]) });
  it('hashes the salted text as hex sha256; NULL stays NULL', () => {
    const out = hashColumn(b, 'id', 'sha256', 's');
    expect(cells(out, 'id')).toEqual([createHash('sha256').update('s1').digest('hex'), null]);
    expect(out.schema.fields[0]?.metadata.get('rapidbyte.pg_type')).toBe('text');
    expect(() => hashColumn(b, 'id', 'md5', '')).toThrow(/allowed: sha256/);
  });
  it('masks with a string or NULL', () => {
    expect(cells(maskColumn(b, 'e', '***'), 'e')).toEqual(['***', null]);
    const nulled = maskColumn(b, 'id', undefined);
    expect(cells(nulled, 'id')).toEqual([null, null]);
    expect(nulled.schema.fields[0]?.type).toEqual(new Int64());
  });
});

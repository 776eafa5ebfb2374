import { Field, Int32 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowFieldToPgType, pgColumnToArrowField } from './pg-arrow-type.js';
import type { PgColumn } from './pg-column.js';
import { ALL_TYPES_COLUMNS } from './test-support/all-types-fixture.js';

const EXPECTED_TYPES: Record<string, [string, boolean]> = {
  c_int2: ['Int16', false],
  c_int4: ['Int32', false],
  c_int8: ['Int64', false],
  c_oid: ['Uint32', false],
  c_float4: ['Float32', false],
  c_float8: ['Float64', false],
  c_bool: ['Bool', false],
  c_text: ['Utf8', false],
  c_varchar: ['Utf8', false],
  c_bpchar: ['Utf8', false],
  c_name: ['Utf8', false],
  c_enum: ['Utf8', false],
  c_json: ['Utf8', false],
  c_jsonb: ['Utf8', false],
  c_bytea: ['Binary', false],
  c_uuid: ['FixedSizeBinary[16]', false],
  c_date: ['Date32<DAY>', false],
  c_ts: ['Timestamp<MICROSECOND>', false],
  c_tstz: ['Timestamp<MICROSECOND, UTC>', false],
  c_time: ['Time64<MICROSECOND>', false],
  c_num: ['Decimal[38e+10]', false],
  c_num_free: ['Binary', true],
  c_interval: ['Binary', true],
  c_int4_arr: ['Binary', true],
  c_inet: ['Binary', true],
};

describe('pgColumnToArrowField', () => {
  it.each(ALL_TYPES_COLUMNS.map((c) => [c.name, c] as const))('maps %s', (name, column) => {
    const f = pgColumnToArrowField(column);
    const [type, raw] = EXPECTED_TYPES[name];
    expect(f.name).toBe(name);
    expect(String(f.type)).toBe(type);
    expect(f.nullable).toBe(true);
    expect(f.metadata.get('rapidbyte.pg_type')).toBe(column.typeName);
    expect(f.metadata.get('rapidbyte.pg_oid')).toBe(String(column.typeOid));
    expect(f.metadata.get('rapidbyte.pg_category')).toBe(column.typeCategory);
    expect(f.metadata.get('rapidbyte.pg_encoding')).toBe(raw ? 'binary' : undefined);
  });

  it('uses Decimal128 only for numeric(p ≤ 38, s ≥ 0)', () => {
    const num = (typeName: string): PgColumn => ({
      name: 'n',
      typeName,
      typeOid: 1700,
      typeCategory: 'N',
      nullable: false,
    });
    expect(String(pgColumnToArrowField(num('numeric(12,2)')).type)).toBe('Decimal[12e+2]');
    expect(String(pgColumnToArrowField(num('numeric(5)')).type)).toBe('Decimal[5e0]');
    expect(String(pgColumnToArrowField(num('numeric(39,2)')).type)).toBe('Binary');
    expect(String(pgColumnToArrowField(num('numeric(10,-2)')).type)).toBe('Binary');
    expect(pgColumnToArrowField(num('numeric(12,2)')).nullable).toBe(false);
  });

  it('maps arrays and unknown OIDs to raw binary, enums by category', () => {
    const c = (typeName: string, typeOid: number, typeCategory: string): PgColumn => ({
      name: 'x',
      typeName,
      typeOid,
      typeCategory,
      nullable: true,
    });
    expect(pgColumnToArrowField(c('text[]', 1009, 'A')).metadata.get('rapidbyte.pg_encoding')).toBe('binary');
    expect(String(pgColumnToArrowField(c('public.thing', 99999, 'U')).type)).toBe('Binary');
    const e = pgColumnToArrowField({ ...c('public.mood', 16500, 'E'), enumLabels: ['a', 'b"c'] });
    expect(String(e.type)).toBe('Utf8');
    expect(e.metadata.get('rapidbyte.pg_enum_labels')).toBe('["a","b\\"c"]');
  });
});

describe('arrowFieldToPgType', () => {
  it('reads back what pgColumnToArrowField wrote', () => {
    for (const column of ALL_TYPES_COLUMNS) {
      const back = arrowFieldToPgType(pgColumnToArrowField(column));
      expect(back).toEqual({
        typeName: column.typeName,
        typeOid: column.typeOid,
        typeCategory: column.typeCategory,
        ...(column.enumLabels === undefined ? {} : { enumLabels: [...column.enumLabels] }),
      });
    }
  });

  it('returns undefined for a field without Postgres metadata', () => {
    expect(arrowFieldToPgType(new Field('a', new Int32()))).toBeUndefined();
  });
});

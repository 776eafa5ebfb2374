/**
 * Test support: a table covering every type mapping, and rows of edge values for it
 * (int8 beyond 2^53, numeric(38,10) extremes, ±infinity dates/timestamps, text with control
 * characters and emoji, raw-binary types, NULL in every column).
 */
import type { PgColumn } from '../pg-column.js';
import { CopyStreamBuilder, pg, type PgField } from './copy-stream-builder.js';

const col = (
  name: string,
  typeName: string,
  typeOid: number,
  typeCategory: string,
  extra: Partial<PgColumn> = {},
): PgColumn => ({ name, typeName, typeOid, typeCategory, nullable: true, ...extra });

export const ALL_TYPES_COLUMNS: readonly PgColumn[] = [
  col('c_int2', 'smallint', 21, 'N'),
  col('c_int4', 'integer', 23, 'N'),
  col('c_int8', 'bigint', 20, 'N'),
  col('c_oid', 'oid', 26, 'N'),
  col('c_float4', 'real', 700, 'N'),
  col('c_float8', 'double precision', 701, 'N'),
  col('c_bool', 'boolean', 16, 'B'),
  col('c_text', 'text', 25, 'S'),
  col('c_varchar', 'character varying(20)', 1043, 'S'),
  col('c_bpchar', 'character(5)', 1042, 'S'),
  col('c_name', 'name', 19, 'S'),
  col('c_enum', 'public.mood', 16500, 'E', { enumLabels: ['sad', 'ok', 'happy'] }),
  col('c_json', 'json', 114, 'U'),
  col('c_jsonb', 'jsonb', 3802, 'U'),
  col('c_bytea', 'bytea', 17, 'U'),
  col('c_uuid', 'uuid', 2950, 'U'),
  col('c_date', 'date', 1082, 'D'),
  col('c_ts', 'timestamp without time zone', 1114, 'D'),
  col('c_tstz', 'timestamp with time zone', 1184, 'D'),
  col('c_time', 'time without time zone', 1083, 'D'),
  col('c_num', 'numeric(38,10)', 1700, 'N'),
  col('c_num_free', 'numeric', 1700, 'N'),
  col('c_interval', 'interval', 1186, 'T'),
  col('c_int4_arr', 'integer[]', 1007, 'A'),
  col('c_inet', 'inet', 869, 'I'),
];

const INT8_MIN = -9223372036854775808n;
const INT8_MAX = 9223372036854775807n;

function interval(us: bigint, days: number, months: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, us);
  v.setInt32(8, days);
  v.setInt32(12, months);
  return b;
}

function int4Array(values: number[]): Uint8Array {
  const b = new Uint8Array(20 + 8 * values.length);
  const v = new DataView(b.buffer);
  v.setInt32(0, 1);
  v.setInt32(4, 0);
  v.setUint32(8, 23);
  v.setInt32(12, values.length);
  v.setInt32(16, 1);
  values.forEach((x, i) => {
    v.setInt32(20 + 8 * i, 4);
    v.setInt32(24 + 8 * i, x);
  });
  return b;
}

/** Rows of binary fields for {@link ALL_TYPES_COLUMNS}; numeric(38,10) values are canonical (dscale 10). */
export const ALL_TYPES_ROWS: readonly (readonly PgField[])[] = [
  [
    pg.int2(-32768),
    pg.int4(-2147483648),
    pg.int8(9007199254740993n),
    pg.oid(4294967295),
    pg.float4(1.5),
    pg.float8(Math.PI),
    pg.bool(true),
    pg.text('line1\nline2\ttab \\ back 😀'),
    pg.text('varchar'),
    pg.text('ab   '),
    pg.text('pg_class'),
    pg.text('happy'),
    pg.text('{"a": [1, 2]}'),
    pg.jsonb('{"a": [1, 2], "b": "é"}'),
    new Uint8Array([0, 1, 2, 255, 10, 13]),
    pg.uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    pg.date(0),
    pg.int64(0n),
    pg.int64(1n),
    pg.int64(86399999999n),
    pg.numeric('123456789012345678901234567.8901234567', 10),
    pg.numeric('3.14159265358979323846264338327950288419716939937510', 50),
    interval(3600000000n, 2, 14),
    int4Array([1, -2, 3]),
    Uint8Array.from([2, 32, 0, 4, 192, 168, 1, 1]),
  ],
  [
    pg.int2(32767),
    pg.int4(2147483647),
    pg.int8(INT8_MIN),
    pg.oid(0),
    pg.float4(Number.NaN),
    pg.float8(Number.POSITIVE_INFINITY),
    pg.bool(false),
    pg.text(''),
    pg.text(''),
    pg.text('     '),
    pg.text(''),
    pg.text('sad'),
    pg.text('null'),
    pg.jsonb('[]'),
    new Uint8Array(0),
    pg.uuid('00000000-0000-0000-0000-000000000000'),
    pg.date(2147483647),
    pg.int64(INT8_MAX),
    pg.int64(INT8_MIN),
    pg.int64(0n),
    pg.numeric('-9999999999999999999999999999.9999999999', 10),
    pg.numeric('NaN', 0),
    interval(-1n, -1, -1),
    int4Array([]),
    Uint8Array.from([3, 128, 0, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
  ],
  [
    pg.int2(0),
    pg.int4(0),
    pg.int8(INT8_MAX),
    pg.oid(26),
    pg.float4(Number.NEGATIVE_INFINITY),
    pg.float8(-0),
    pg.bool(true),
    pg.text('\u0000\u0001 control\r\n'),
    pg.text('x'),
    pg.text('abcde'),
    pg.text('n'),
    pg.text('ok'),
    pg.text('"s"'),
    pg.jsonb('{}'),
    new Uint8Array([92, 92]),
    pg.uuid('ffffffff-ffff-ffff-ffff-ffffffffffff'),
    pg.date(-2147483648),
    pg.int64(INT8_MIN),
    pg.int64(INT8_MAX),
    pg.int64(1n),
    pg.numeric('0', 10),
    pg.numeric('-0.000001', 6),
    interval(0n, 0, 0),
    int4Array([7]),
    Uint8Array.from([2, 24, 1, 4, 10, 0, 0, 0]),
  ],
  [
    pg.int2(-1),
    pg.int4(-1),
    pg.int8(-1n),
    pg.oid(1),
    pg.float4(-0.1),
    pg.float8(Number.NaN),
    pg.bool(false),
    pg.text('x'.repeat(300)),
    pg.text('ü'),
    pg.text('é    '),
    pg.text('z'),
    pg.text('happy'),
    pg.text('1'),
    pg.jsonb('1'),
    new Uint8Array([1]),
    pg.uuid('123e4567-e89b-12d3-a456-426614174000'),
    pg.date(-10958),
    pg.int64(-946684800000001n),
    pg.int64(-946684800000000n - 123456n),
    pg.int64(43200000001n),
    pg.numeric('-0.0000000001', 10),
    pg.numeric('1e3'.replace('1e3', '1000'), 0),
    interval(1n, 0, 0),
    int4Array([0, 0]),
    Uint8Array.from([2, 32, 0, 4, 127, 0, 0, 1]),
  ],
  ALL_TYPES_COLUMNS.map(() => null),
  [
    pg.int2(12),
    pg.int4(34),
    pg.int8(-9007199254740993n),
    pg.oid(2),
    pg.float4(3.4028234663852886e38),
    pg.float8(5e-324),
    pg.bool(true),
    pg.text('tab\there'),
    pg.text('v'),
    pg.text('q    '),
    pg.text('nm'),
    pg.text('sad'),
    pg.text('{"k": null}'),
    pg.jsonb('{"k": null}'),
    new Uint8Array(40).fill(7),
    pg.uuid('00112233-4455-6677-8899-aabbccddeeff'),
    pg.date(-1),
    pg.int64(-1n),
    pg.int64(1234567890123456n),
    pg.int64(0n),
    pg.numeric('42.5', 10),
    pg.numeric('Infinity', 0),
    null,
    null,
    null,
  ],
  [
    null,
    pg.int4(5),
    null,
    pg.oid(3),
    null,
    pg.float8(1e308),
    null,
    pg.text('after nulls'),
    null,
    pg.text('     '),
    null,
    pg.text('ok'),
    null,
    pg.jsonb('"x"'),
    null,
    pg.uuid('00000000-0000-0000-0000-000000000001'),
    null,
    pg.int64(-1n),
    null,
    pg.int64(1n),
    pg.numeric('99999999.9', 10),
    null,
    interval(5n, 5, 5),
    null,
    null,
  ],
];

/** The whole COPY stream of {@link ALL_TYPES_ROWS}. */
export function allTypesStream(rows: readonly (readonly PgField[])[] = ALL_TYPES_ROWS): Uint8Array {
  const b = new CopyStreamBuilder().header();
  for (const r of rows) b.row(r);
  return b.trailer().bytes();
}

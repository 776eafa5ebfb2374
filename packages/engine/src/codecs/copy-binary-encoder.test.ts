import {
  Binary,
  DateDay,
  Decimal,
  Field,
  Float32,
  Int16,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder } from './copy-binary-decoder.js';
import { CopyBinaryEncoder } from './copy-binary-encoder.js';
import { CopyEncodeError } from './copy-encode-error.js';
import type { PgColumn } from './pg-column.js';
import { pgColumnToArrowField } from './pg-arrow-type.js';
import { CopyStreamBuilder, pg, type PgField } from './test-support/copy-stream-builder.js';

const col = (name: string, typeName: string, typeOid: number, nullable = true, typeCategory = 'N'): PgColumn => ({
  name,
  typeName,
  typeOid,
  typeCategory,
  nullable,
});

function batchOf(columns: [Field, Data][]): RecordBatch {
  const fields = columns.map(([f]) => f);
  const length = columns.length === 0 ? 0 : columns[0][1].length;
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map(([, d]) => d) }),
  );
}

function dataOf<T extends DataType>(type: T, values: unknown[]): Data<T> {
  return vectorFromArray(values as never[], type).data[0] as Data<T>;
}

/** COPY rows (no header/trailer) for `rows` of binary fields. */
function rowsBytes(rows: PgField[][]): string {
  const b = new CopyStreamBuilder();
  for (const r of rows) b.row(r);
  return Buffer.from(b.bytes()).toString('hex');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function thrown(f: () => unknown): CopyEncodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof CopyEncodeError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('CopyBinaryEncoder', () => {
  it('writes the 19-byte header and the -1 trailer', () => {
    const e = new CopyBinaryEncoder([]);
    expect(hex(e.header())).toBe('5047434f50590aff0d0a00' + '00000000' + '00000000');
    expect(hex(e.trailer())).toBe('ffff');
  });

  it('widens Int16 → int4/int8, Int32 → int8 and Float32 → float8', () => {
    const cols = [
      col('a', 'integer', 23),
      col('b', 'bigint', 20),
      col('c', 'bigint', 20),
      col('d', 'double precision', 701),
      col('e', 'smallint', 21),
    ];
    const batch = batchOf([
      [new Field('a', new Int16()), dataOf(new Int16(), [-5, null])],
      [new Field('b', new Int16()), dataOf(new Int16(), [-32768, 7])],
      [new Field('c', new Int32()), dataOf(new Int32(), [-2147483648, 2147483647])],
      [new Field('d', new Float32()), dataOf(new Float32(), [1.5, -0.25])],
      [new Field('e', new Int16()), dataOf(new Int16(), [1, 2])],
    ]);
    expect(hex(new CopyBinaryEncoder(cols).encode(batch))).toBe(
      rowsBytes([
        [pg.int4(-5), pg.int8(-32768n), pg.int8(-2147483648n), pg.float8(1.5), pg.int2(1)],
        [null, pg.int8(7n), pg.int8(2147483647n), pg.float8(-0.25), pg.int2(2)],
      ]),
    );
  });

  it('adds the jsonb version byte to Utf8 and writes Utf8 verbatim to text-like targets', () => {
    const cols = [
      col('j', 'jsonb', 3802, true, 'U'),
      col('t', 'character varying(5)', 1043, true, 'S'),
      col('m', 'public.mood', 17000, true, 'E'),
    ];
    const utf = (name: string, v: unknown[]) => [new Field(name, new Utf8()), dataOf(new Utf8(), v)] as [Field, Data];
    const batch = batchOf([utf('j', ['{"a":1}', null]), utf('t', ['x\ty', '😀']), utf('m', ['ok', 'sad'])]);
    expect(hex(new CopyBinaryEncoder(cols).encode(batch))).toBe(
      rowsBytes([
        [pg.jsonb('{"a":1}'), pg.text('x\ty'), pg.text('ok')],
        [null, pg.text('😀'), pg.text('sad')],
      ]),
    );
  });

  it('writes Decimal128 as canonical numeric, matching by name in any field order', () => {
    const cols = [col('id', 'integer', 23), col('amount', 'numeric(12,2)', 1700), col('free', 'numeric', 1700)];
    const words = new Uint32Array([150, 0, 0, 0, 0xfffffebb, 0xffffffff, 0xffffffff, 0xffffffff]); // 1.50, -3.25 (unscaled -325)
    const dec = makeData({ type: new Decimal(2, 12, 128), length: 2, data: words });
    const batch = batchOf([
      [
        new Field('free', new Decimal(0, 5, 128)),
        makeData({ type: new Decimal(0, 5, 128), length: 2, data: new Uint32Array([10000, 0, 0, 0, 0, 0, 0, 0]) }),
      ],
      [new Field('amount', new Decimal(2, 12, 128)), dec],
      [new Field('id', new Int32()), dataOf(new Int32(), [1, 2])],
    ]);
    expect(hex(new CopyBinaryEncoder(cols).encode(batch))).toBe(
      rowsBytes([
        [pg.int4(1), pg.numeric('1.50', 2), pg.numeric('10000', 0)],
        [pg.int4(2), pg.numeric('-3.25', 2), pg.numeric('0', 0)],
      ]),
    );
  });

  it('writes a missing nullable column as NULL and refuses a missing NOT NULL one', () => {
    const batch = batchOf([[new Field('a', new Int32()), dataOf(new Int32(), [1])]]);
    const cols = [col('a', 'integer', 23), col('gone', 'text', 25)];
    expect(hex(new CopyBinaryEncoder(cols).encode(batch))).toBe(rowsBytes([[pg.int4(1), null]]));
    const err = thrown(() =>
      new CopyBinaryEncoder([col('a', 'integer', 23), col('gone', 'text', 25, false)]).encode(batch),
    );
    expect(err).toMatchObject({ code: 'MISSING_COLUMN', column: 'gone', kind: 'permanent' });
  });

  it('names column and types for an unsupported conversion', () => {
    const batch = batchOf([[new Field('a', new Utf8()), dataOf(new Utf8(), ['1'])]]);
    const err = thrown(() => new CopyBinaryEncoder([col('a', 'integer', 23)]).encode(batch));
    expect(err).toMatchObject({ code: 'UNSUPPORTED_CONVERSION', column: 'a' });
    expect(err.message).toContain('Utf8');
    expect(err.message).toContain('integer');
    const rawInterval = pgColumnToArrowField(col('a', 'interval', 1186, true, 'T'));
    const raw = batchOf([[rawInterval, dataOf(new Binary(), [new Uint8Array(16)])]]);
    expect(thrown(() => new CopyBinaryEncoder([col('a', 'inet', 869)]).encode(raw))).toMatchObject({
      code: 'UNSUPPORTED_CONVERSION',
    });
    expect(new CopyBinaryEncoder([col('a', 'interval', 1186, true, 'T')]).encode(raw)).toHaveLength(2 + 4 + 16);
    const ts = batchOf([
      [new Field('a', new TimestampMicrosecond('UTC')), dataOf(new TimestampMicrosecond('UTC'), [0])],
    ]);
    expect(
      thrown(() => new CopyBinaryEncoder([col('a', 'timestamp without time zone', 1114)]).encode(ts)),
    ).toMatchObject({ code: 'UNSUPPORTED_CONVERSION' });
  });

  it("writes an enum array into the destination enum's array with the element OID rewritten", () => {
    // source: app.mood[] (oid 17001, element 17000); destination: wh.mood[] (oid 24601, element 24600)
    const source: PgColumn = {
      name: 'a',
      typeName: 'app.mood[]',
      typeOid: 17001,
      typeCategory: 'A',
      nullable: true,
      enumLabels: ['sad', 'ok'],
    };
    const field = pgColumnToArrowField(source);
    expect(field.metadata.get('rapidbyte.pg_enum_labels')).toBe('["sad","ok"]');
    // {ok}: ndim 1, no nulls, element 17000, dim 1 lower bound 1, one element 'ok'
    const value = Buffer.from(
      '00000001' + '00000000' + '00004268' + '00000001' + '00000001' + '00000002' + '6f6b',
      'hex',
    );
    const batch = batchOf([[field, dataOf(new Binary(), [new Uint8Array(value), null])]]);
    const target = {
      name: 'a',
      typeName: 'wh.mood[]',
      typeOid: 24601,
      typeCategory: 'A',
      nullable: true,
      enumLabels: ['sad', 'ok'],
    };
    // without the element OID the host looked up, the types differ
    expect(thrown(() => new CopyBinaryEncoder([target]).encode(batch))).toMatchObject({
      code: 'UNSUPPORTED_CONVERSION',
    });
    const out = new CopyBinaryEncoder([{ ...target, elementOid: 24600 }]).encode(batch);
    const expected = Buffer.from(value);
    expected.writeUInt32BE(24600, 8);
    expect(hex(out)).toBe('0001' + '0000001a' + expected.toString('hex') + '0001' + 'ffffffff');
  });

  it('names column, row and value when a value is out of range or NULL in a NOT NULL column', () => {
    const dates = batchOf([
      [
        new Field('d', new DateDay()),
        makeData({ type: new DateDay(), length: 2, data: new Int32Array([0, -2147483600]) }),
      ],
    ]);
    const err = thrown(() => new CopyBinaryEncoder([col('d', 'date', 1082)]).encode(dates));
    expect(err).toMatchObject({
      code: 'VALUE_OUT_OF_RANGE',
      column: 'd',
      row: 1,
      details: { value: '-2147483600 days' },
    });
    const nulls = batchOf([[new Field('a', new Int32()), dataOf(new Int32(), [1, 2, null])]]);
    expect(thrown(() => new CopyBinaryEncoder([col('a', 'integer', 23, false)]).encode(nulls))).toMatchObject({
      code: 'NULL_IN_NOT_NULL',
      row: 2,
    });
    const ts = batchOf([
      [
        new Field('t', new TimestampMicrosecond(null)),
        makeData({ type: new TimestampMicrosecond(null), length: 1, data: new BigInt64Array([-9223372036854775807n]) }),
      ],
    ]);
    expect(
      thrown(() => new CopyBinaryEncoder([col('t', 'timestamp without time zone', 1114)]).encode(ts)),
    ).toMatchObject({ code: 'VALUE_OUT_OF_RANGE', row: 0 });
  });

  it('encodes zero rows to zero bytes', () => {
    const batch = batchOf([[new Field('a', new Int64()), dataOf(new Int64(), [])]]);
    expect(new CopyBinaryEncoder([col('a', 'bigint', 20)]).encode(batch)).toHaveLength(0);
  });

  it('encodes sliced batches (Arrow offsets) exactly', () => {
    const cols = [
      col('i', 'bigint', 20),
      col('t', 'text', 25, true, 'S'),
      col('b', 'boolean', 16, true, 'B'),
      col('n', 'numeric(10,3)', 1700),
    ];
    const rows: PgField[][] = Array.from({ length: 20 }, (_, i) => [
      i % 5 === 0 ? null : pg.int8(BigInt(i) << 40n),
      i % 3 === 0 ? null : pg.text(`v${i}`),
      pg.bool(i % 2 === 0),
      i % 7 === 0 ? null : pg.numeric(`${i}.${i}`, 3),
    ]);
    const s = new CopyStreamBuilder().header();
    rows.forEach((r) => s.row(r));
    const d = new CopyBinaryDecoder(cols);
    const [batch] = [...d.push(s.trailer().bytes()), ...d.finish()];
    const enc = new CopyBinaryEncoder(cols);
    for (const [from, to] of [
      [0, 20],
      [3, 11],
      [7, 8],
      [13, 20],
      [5, 5],
    ]) {
      expect(hex(enc.encode(batch.slice(from, to)))).toBe(rowsBytes(rows.slice(from, to)));
    }
  });
});

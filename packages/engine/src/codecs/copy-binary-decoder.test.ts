import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder } from './copy-binary-decoder.js';
import { CopyBinaryEncoder } from './copy-binary-encoder.js';
import { CopyFormatError } from './copy-format-error.js';
import type { PgColumn } from './pg-column.js';
import { decimalWordsAsBigInt } from './pg-numeric.js';
import { ALL_TYPES_COLUMNS, ALL_TYPES_ROWS, allTypesStream } from './test-support/all-types-fixture.js';
import { CopyStreamBuilder, pg } from './test-support/copy-stream-builder.js';

function decode(columns: readonly PgColumn[], chunks: readonly Uint8Array[], batchRows?: number): RecordBatch[] {
  const d = new CopyBinaryDecoder(columns, { batchRows });
  const out: RecordBatch[] = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.finish());
  return out;
}

/** Batch sizes, field types/encodings, and the batch re-encoded: equal fingerprints = equal batches. */
function fingerprint(columns: readonly PgColumn[], batches: readonly RecordBatch[]): string {
  const enc = new CopyBinaryEncoder(columns);
  return JSON.stringify(
    batches.map((b) => [
      b.numRows,
      b.schema.fields.map((f) => `${String(f.type)}/${f.metadata.get('rapidbyte.pg_encoding') ?? ''}`),
      Buffer.from(enc.encode(b)).toString('hex'),
    ]),
  );
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const BODY_START = 19;

describe('CopyBinaryDecoder', () => {
  const stream = allTypesStream();

  it('decodes every type mapping exactly', () => {
    const [b] = decode(ALL_TYPES_COLUMNS, [stream]);
    expect(b.numRows).toBe(ALL_TYPES_ROWS.length);
    const data = (name: string) => b.getChild(name)!.data[0];
    expect(b.getChild('c_int2')!.toArray()[0]).toBe(-32768);
    const int8 = data('c_int8').values as BigInt64Array;
    expect([int8[0], int8[1], int8[2], int8[3], int8[5]]).toEqual([
      9007199254740993n,
      -9223372036854775808n,
      9223372036854775807n,
      -1n,
      -9007199254740993n,
    ]);
    expect(b.getChild('c_oid')!.get(0)).toBe(4294967295);
    expect(Number.isNaN(b.getChild('c_float4')!.get(1))).toBe(true);
    expect(b.getChild('c_float8')!.get(0)).toBe(Math.PI);
    expect(Object.is(b.getChild('c_float8')!.get(2), -0)).toBe(true);
    expect(b.getChild('c_bool')!.get(0)).toBe(true);
    expect(b.getChild('c_bool')!.get(1)).toBe(false);
    expect(b.getChild('c_text')!.get(0)).toBe('line1\nline2\ttab \\ back 😀');
    expect(b.getChild('c_bpchar')!.get(0)).toBe('ab   ');
    expect(b.getChild('c_enum')!.get(0)).toBe('happy');
    expect(b.getChild('c_jsonb')!.get(0)).toBe('{"a": [1, 2], "b": "é"}');
    expect([...b.getChild('c_bytea')!.get(0)!]).toEqual([0, 1, 2, 255, 10, 13]);
    expect(hex(b.getChild('c_uuid')!.get(0)!)).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
    expect([...(data('c_date').values as Int32Array)].slice(0, 4)).toEqual([10957, 2147483647, -2147483648, -1]);
    const ts = data('c_ts').values as BigInt64Array;
    expect([ts[0], ts[1], ts[2], ts[3]]).toEqual([946684800000000n, 9223372036854775807n, -9223372036854775808n, -1n]);
    const tstz = data('c_tstz').values as BigInt64Array;
    expect([tstz[0], tstz[3], tstz[5]]).toEqual([946684800000001n, -123456n, 946684800000000n + 1234567890123456n]);
    expect((data('c_time').values as BigInt64Array)[0]).toBe(86399999999n);
    const num = data('c_num');
    expect(String(num.type)).toBe('Decimal[38e+10]');
    const words = num.values as Uint32Array;
    expect([0, 1, 2, 3, 5, 6].map((i) => decimalWordsAsBigInt(words, i))).toEqual([
      1234567890123456789012345678901234567n,
      -99999999999999999999999999999999999999n,
      0n,
      -1n,
      425000000000n,
      999999999000000000n,
    ]);
    expect(String(b.getChild('c_interval')!.type)).toBe('Binary');
    expect(b.schema.fields.find((f) => f.name === 'c_int4_arr')!.metadata.get('rapidbyte.pg_encoding')).toBe('binary');
    for (const f of b.schema.fields) expect(b.getChild(f.name)!.get(4)).toBeNull();
    expect(b.getChild('c_int4')!.nullCount).toBe(1);
  });

  it('round-trips every type byte for byte through the encoder', () => {
    const batches = decode(ALL_TYPES_COLUMNS, [stream], 3);
    expect(batches.map((b) => b.numRows)).toEqual([3, 3, 1]);
    const enc = new CopyBinaryEncoder(ALL_TYPES_COLUMNS);
    const body = Buffer.concat([enc.header(), ...batches.map((b) => enc.encode(b)), enc.trailer()]);
    expect(hex(body)).toBe(hex(stream));
  });

  it('yields identical batches for every two-chunk split and for 1-byte chunks', () => {
    const expected = fingerprint(ALL_TYPES_COLUMNS, decode(ALL_TYPES_COLUMNS, [stream], 2));
    for (let i = 0; i <= stream.length; i++) {
      const got = fingerprint(
        ALL_TYPES_COLUMNS,
        decode(ALL_TYPES_COLUMNS, [stream.subarray(0, i), stream.subarray(i)], 2),
      );
      if (got !== expected) throw new Error(`split at ${i} differs`);
    }
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(fingerprint(ALL_TYPES_COLUMNS, decode(ALL_TYPES_COLUMNS, bytes, 2))).toBe(expected);
  });

  it('cuts batches at batchRows: 10 rows by 3 → 3,3,3,1', () => {
    const cols = [ALL_TYPES_COLUMNS[1]];
    const b = new CopyStreamBuilder().header();
    for (let i = 0; i < 10; i++) b.row([pg.int4(i)]);
    const batches = decode(cols, [b.trailer().bytes()], 3);
    expect(batches.map((x) => x.numRows)).toEqual([3, 3, 3, 1]);
    expect(batches.flatMap((x) => [...x.getChild('c_int4')!.toArray()])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('cuts batches at maxBatchBytes after the row that reaches it', () => {
    const cols = [ALL_TYPES_COLUMNS[7]];
    const b = new CopyStreamBuilder().header();
    for (let i = 0; i < 7; i++) b.row([pg.text('x'.repeat(94))]); // 100 bytes per row
    const d = new CopyBinaryDecoder(cols, { maxBatchBytes: 250 });
    const batches = [...d.push(b.trailer().bytes()), ...d.finish()];
    expect(batches.map((x) => x.numRows)).toEqual([3, 3, 1]);
    expect(d.rowsDecoded).toBe(7);
    expect(d.bytesDecoded).toBe(19 + 700 + 2);
  });

  it('returns exactly one zero-row batch with the schema for an empty result', () => {
    const empty = new CopyStreamBuilder().header().trailer().bytes();
    const batches = decode(ALL_TYPES_COLUMNS, [empty]);
    expect(batches).toHaveLength(1);
    expect(batches[0].numRows).toBe(0);
    expect(batches[0].schema.fields.map((f) => f.name)).toEqual(ALL_TYPES_COLUMNS.map((c) => c.name));
    expect(String(batches[0].schema.fields[20].type)).toBe('Decimal[38e+10]');
  });

  it('decodes zero-column rows', () => {
    const s = new CopyStreamBuilder().header().row([]).row([]).row([]).trailer().bytes();
    const batches = decode([], [s.subarray(0, 20), s.subarray(20)]);
    expect(batches.map((b) => [b.numRows, b.numCols])).toEqual([[3, 0]]);
    const enc = new CopyBinaryEncoder([]);
    expect(hex(enc.encode(batches[0]))).toBe(hex(s.subarray(BODY_START, s.length - 2)));
  });

  it('skips a header extension', () => {
    const s = new CopyStreamBuilder()
      .header(new Uint8Array([1, 2, 3]))
      .row([pg.int4(7)])
      .trailer()
      .bytes();
    expect([...decode([ALL_TYPES_COLUMNS[1]], [s])[0].getChild('c_int4')!.toArray()]).toEqual([7]);
  });

  it('decodes one huge value (5 MiB bytea) across chunks', () => {
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 31) & 255);
    const cols = [ALL_TYPES_COLUMNS[1], ALL_TYPES_COLUMNS[14]];
    const s = new CopyStreamBuilder()
      .header()
      .row([pg.int4(1), big])
      .row([pg.int4(2), pg.text('small')])
      .trailer()
      .bytes();
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < s.length; i += 65536) chunks.push(s.subarray(i, i + 65536));
    for (const parts of [chunks, [s.subarray(0, 30), s.subarray(30, s.length - 3), s.subarray(s.length - 3)]]) {
      const batches = decode(cols, parts);
      expect(batches.map((b) => b.numRows)).toEqual([2]);
      expect(Buffer.compare(Buffer.from(batches[0].getChild('c_bytea')!.get(0)!), Buffer.from(big))).toBe(0);
      const enc = new CopyBinaryEncoder(cols);
      expect(
        Buffer.compare(Buffer.from(enc.encode(batches[0])), Buffer.from(s.subarray(BODY_START, s.length - 2))),
      ).toBe(0);
    }
  });

  describe('numeric NaN fallback', () => {
    const cols: PgColumn[] = [
      { name: 'amount', typeName: 'numeric(12,2)', typeOid: 1700, typeCategory: 'N', nullable: true },
    ];
    const rows = [
      pg.numeric('1.50', 2),
      null,
      pg.numeric('-3.25', 2),
      pg.numeric('NaN', 0),
      pg.numeric('7.00', 2),
      pg.numeric('0', 2),
      pg.numeric('Infinity', 0),
    ];
    const s = (() => {
      const b = new CopyStreamBuilder().header();
      rows.forEach((r) => b.row([r]));
      return b.trailer().bytes();
    })();

    it('turns only the affected batch into raw Binary, re-encoding its earlier decimals', () => {
      const batches = decode(cols, [s], 5);
      expect(batches.map((b) => String(b.schema.fields[0].type))).toEqual(['Binary', 'Binary']);
      expect(batches[0].schema.fields[0].metadata.get('rapidbyte.pg_encoding')).toBe('binary');
      expect(batches[0].schema.fields[0].metadata.get('rapidbyte.pg_type')).toBe('numeric(12,2)');
      expect(hex(batches[0].getChild('amount')!.get(0)!)).toBe(hex(rows[0]!));
      expect(batches[0].getChild('amount')!.get(1)).toBeNull();
      const enc = new CopyBinaryEncoder(cols);
      expect(hex(Buffer.concat([enc.header(), ...batches.map((b) => enc.encode(b)), enc.trailer()]))).toBe(hex(s));
    });

    it('keeps Decimal128 for batches without NaN', () => {
      const batches = decode(cols, [s], 3);
      expect(batches.map((b) => String(b.schema.fields[0].type))).toEqual(['Decimal[12e+2]', 'Binary', 'Binary']);
      const batches2 = decode(cols, [s], 4);
      expect(batches2.map((b) => String(b.schema.fields[0].type))).toEqual(['Binary', 'Binary']);
      const batches3 = decode(cols, [s], 2);
      expect(batches3.map((b) => String(b.schema.fields[0].type))).toEqual([
        'Decimal[12e+2]',
        'Binary',
        'Decimal[12e+2]',
        'Binary',
      ]);
    });
  });

  describe("timestamps beyond Arrow's range (294247–294276 AD) fall back to raw values", () => {
    // µs since 2000: Postgres' last timestamp (294276-12-31 23:59:59.999999), the last one Arrow µs
    // since 1970 holds (int64 max − 1: int64 max itself means +infinity), and the first beyond it
    const PG_LAST = 9223371331199999999n;
    const ARROW_LAST = 9223372036854775806n - 946684800000000n;
    for (const [name, oid] of [
      ['timestamp without time zone', 1114],
      ['timestamp with time zone', 1184],
    ] as const) {
      const cols: PgColumn[] = [{ name: 'at', typeName: name, typeOid: oid, typeCategory: 'D', nullable: true }];
      const rows = [
        pg.int64(1n),
        null,
        pg.int64(0x7fffffffffffffffn),
        pg.int64(ARROW_LAST),
        pg.int64(ARROW_LAST + 1n),
        pg.int64(-0x8000000000000000n),
        pg.int64(PG_LAST),
        pg.int64(-211813488000000000n),
      ];
      const s = (() => {
        const b = new CopyStreamBuilder().header();
        rows.forEach((r) => b.row([r]));
        return b.trailer().bytes();
      })();

      it(`${name}: only the batch holding such a value turns Binary; every value re-encodes exactly`, () => {
        const batches = decode(cols, [s], 4);
        expect(batches.map((b) => String(b.schema.fields[0].type))).toEqual(
          ['Timestamp<MICROSECOND>', 'Binary'].map((t, i) =>
            i === 0 && oid === 1184 ? 'Timestamp<MICROSECOND, UTC>' : t,
          ),
        );
        expect((batches[0].getChild('at')!.data[0].values as BigInt64Array)[3]).toBe(9223372036854775806n);
        expect(batches[1].schema.fields[0].metadata.get('rapidbyte.pg_encoding')).toBe('binary');
        expect(batches[1].schema.fields[0].metadata.get('rapidbyte.pg_oid')).toBe(String(oid));
        expect(hex(batches[1].getChild('at')!.get(2)!)).toBe(hex(rows[6]!));
        const enc = new CopyBinaryEncoder(cols);
        expect(hex(Buffer.concat([enc.header(), ...batches.map((b) => enc.encode(b)), enc.trailer()]))).toBe(hex(s));
        const one = decode(cols, [s]);
        expect(one.map((b) => String(b.schema.fields[0].type))).toEqual(['Binary']);
        expect(one[0].getChild('at')!.get(1)).toBeNull();
        expect(hex(Buffer.concat([enc.header(), enc.encode(one[0]), enc.trailer()]))).toBe(hex(s));
      });
    }
  });

  describe('errors', () => {
    it('throws CopyFormatError for every truncation of the stream', () => {
      for (let i = 0; i < stream.length; i++) {
        const d = new CopyBinaryDecoder(ALL_TYPES_COLUMNS);
        d.push(stream.subarray(0, i));
        expect(() => d.finish(), `truncated at ${i}`).toThrow(CopyFormatError);
      }
    });

    it('reports the code, offset, row and column', () => {
      const bad = new CopyStreamBuilder()
        .header()
        .row([pg.int4(1), pg.int4(2)])
        .row([pg.int4(3), pg.int2(4)])
        .trailer()
        .bytes();
      const cols = [ALL_TYPES_COLUMNS[1], { ...ALL_TYPES_COLUMNS[1], name: 'second' }];
      const err = (() => {
        try {
          decode(cols, [bad]);
        } catch (e) {
          return e;
        }
      })() as CopyFormatError;
      expect(err).toBeInstanceOf(CopyFormatError);
      expect(err).toMatchObject({
        code: 'BAD_FIELD_LENGTH',
        kind: 'permanent',
        row: 1,
        column: 'second',
        offset: 19 + 18 + 10,
      });
      // the same error when the bad row straddles chunks
      const err2 = (() => {
        try {
          decode(cols, [bad.subarray(0, 40), bad.subarray(40)]);
        } catch (e) {
          return e;
        }
      })() as CopyFormatError;
      expect(err2).toMatchObject({ code: 'BAD_FIELD_LENGTH', row: 1, column: 'second', offset: 47 });
    });

    it('rejects a bad signature, a wrong field count and data after the trailer', () => {
      const good = new CopyStreamBuilder()
        .header()
        .row([pg.int4(1)])
        .trailer()
        .bytes();
      const cols = [ALL_TYPES_COLUMNS[1]];
      const badSig = good.slice();
      badSig[0] = 0x51;
      expect(() => decode(cols, [badSig])).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
      expect(() => decode([...cols, ...cols], [good])).toThrow(
        expect.objectContaining({ code: 'BAD_FIELD_COUNT', row: 0 }),
      );
      const extra = Buffer.concat([good, Buffer.from([0])]);
      expect(() => decode(cols, [extra])).toThrow(expect.objectContaining({ code: 'DATA_AFTER_TRAILER' }));
      expect(() => decode(cols, [good, new Uint8Array([0])])).toThrow(
        expect.objectContaining({ code: 'DATA_AFTER_TRAILER' }),
      );
      const row = new CopyStreamBuilder().row([pg.int4(2)]).bytes();
      expect(() => decode(cols, [good, row])).toThrow(
        expect.objectContaining({ code: 'DATA_AFTER_TRAILER', offset: good.length }),
      );
      expect(() => decode(cols, [])).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    });
  });
});

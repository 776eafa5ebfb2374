/**
 * Property tests of the COPY BINARY codecs: random rows of random schemas survive decoder → encoder
 * byte for byte (whatever the chunking), the row splitter returns them verbatim, and damaged streams
 * end in a CopyFormatError, never in another kind of exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder } from './copy-binary-decoder.js';
import { CopyBinaryEncoder } from './copy-binary-encoder.js';
import { CopyFormatError } from './copy-format-error.js';
import { CopyRowSplitter } from './copy-row-splitter.js';
import type { PgColumn } from './pg-column.js';
import { concatBytes, CopyStreamBuilder, pg, type PgField } from './test-support/copy-stream-builder.js';

/** Fixed so CI runs the same cases; a failure prints the seed and the shrunk counterexample. */
const SEED = 0x5eed_c0de;
const RUNS = 200;
const params = { seed: SEED, numRuns: RUNS } as const;

/** One column type: how it is declared and how to draw a binary value that Postgres could send for it. */
interface ColumnType {
  readonly typeName: string;
  readonly typeOid: number;
  readonly typeCategory: string;
  readonly value: fc.Arbitrary<Uint8Array>;
}

// Postgres ranges (days / µs since 2000-01-01), plus the ±infinity sentinels.
const DATE_MIN = -2_451_545;
const DATE_MAX = 2_145_031_949;
const TS_MIN = -211_813_488_000_000_000n;
const TS_MAX = 9_223_371_331_200_000_000n - 1n;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
const timestamp = fc.oneof(fc.bigInt({ min: TS_MIN, max: TS_MAX }), fc.constantFrom(INT8_MIN, INT8_MAX)).map(pg.int64);
const jsonText = fc.json({ maxDepth: 2 });

/** Canonical numeric text with `scale` decimals (what the server sends for numeric(p, scale)). */
const scaledNumeric = (precision: number, scale: number): fc.Arbitrary<Uint8Array> => {
  const limit = 10n ** BigInt(precision) - 1n;
  return fc.bigInt({ min: -limit, max: limit }).map((n) => {
    const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
    const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return pg.numeric(n < 0n ? `-${body}` : body, scale);
  });
};

/** A one-dimensional int4[] (with NULL elements) in array_send format. */
const int4Array = fc
  .array(fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 6 })
  .map((values) => {
    const size = 12 + (values.length > 0 ? 8 : 0) + values.reduce<number>((n, v) => n + 4 + (v === null ? 0 : 4), 0);
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    v.setInt32(0, values.length > 0 ? 1 : 0);
    v.setInt32(4, values.some((x) => x === null) ? 1 : 0);
    v.setUint32(8, 23);
    let p = 12;
    if (values.length > 0) {
      v.setInt32(12, values.length);
      v.setInt32(16, 1);
      p = 20;
    }
    for (const x of values) {
      if (x === null) {
        v.setInt32(p, -1);
        p += 4;
        continue;
      }
      v.setInt32(p, 4);
      v.setInt32(p + 4, x);
      p += 8;
    }
    return b;
  });

const TYPES: readonly ColumnType[] = [
  { typeName: 'smallint', typeOid: 21, typeCategory: 'N', value: fc.integer({ min: -32768, max: 32767 }).map(pg.int2) },
  {
    typeName: 'integer',
    typeOid: 23,
    typeCategory: 'N',
    value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(pg.int4),
  },
  {
    typeName: 'bigint',
    typeOid: 20,
    typeCategory: 'N',
    value: fc.bigInt({ min: INT8_MIN, max: INT8_MAX }).map(pg.int8),
  },
  { typeName: 'real', typeOid: 700, typeCategory: 'N', value: fc.float().map(pg.float4) },
  { typeName: 'double precision', typeOid: 701, typeCategory: 'N', value: fc.double().map(pg.float8) },
  { typeName: 'numeric(12,2)', typeOid: 1700, typeCategory: 'N', value: scaledNumeric(12, 2) },
  { typeName: 'numeric(38,10)', typeOid: 1700, typeCategory: 'N', value: scaledNumeric(38, 10) },
  {
    typeName: 'numeric',
    typeOid: 1700,
    typeCategory: 'N',
    value: fc.oneof(
      fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 20 })).map(([n, s]) => {
        const digits = (n < 0n ? -n : n).toString().padStart(s + 1, '0');
        const body = s === 0 ? digits : `${digits.slice(0, -s)}.${digits.slice(-s)}`;
        return pg.numeric(n < 0n ? `-${body}` : body, s);
      }),
      fc.constantFrom('NaN', 'Infinity', '-Infinity').map((s) => pg.numeric(s, 0)),
    ),
  },
  { typeName: 'boolean', typeOid: 16, typeCategory: 'B', value: fc.boolean().map(pg.bool) },
  { typeName: 'text', typeOid: 25, typeCategory: 'S', value: text.map(pg.text) },
  { typeName: 'character varying(40)', typeOid: 1043, typeCategory: 'S', value: text.map(pg.text) },
  { typeName: 'bytea', typeOid: 17, typeCategory: 'U', value: fc.uint8Array({ maxLength: 40 }) },
  {
    typeName: 'date',
    typeOid: 1082,
    typeCategory: 'D',
    value: fc
      .oneof(fc.integer({ min: DATE_MIN, max: DATE_MAX }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1))
      .map(pg.date),
  },
  { typeName: 'timestamp without time zone', typeOid: 1114, typeCategory: 'D', value: timestamp },
  { typeName: 'timestamp with time zone', typeOid: 1184, typeCategory: 'D', value: timestamp },
  { typeName: 'uuid', typeOid: 2950, typeCategory: 'U', value: fc.uint8Array({ minLength: 16, maxLength: 16 }) },
  { typeName: 'json', typeOid: 114, typeCategory: 'U', value: jsonText.map(pg.text) },
  { typeName: 'jsonb', typeOid: 3802, typeCategory: 'U', value: jsonText.map(pg.jsonb) },
  { typeName: 'integer[]', typeOid: 1007, typeCategory: 'A', value: int4Array },
];

interface Table {
  readonly columns: readonly PgColumn[];
  readonly rows: readonly (readonly PgField[])[];
}

/** A random schema (1–6 columns of the types above) and 0–12 rows for it, NULLs where nullable. */
const table: fc.Arbitrary<Table> = fc
  .array(fc.tuple(fc.constantFrom(...TYPES), fc.boolean()), { minLength: 1, maxLength: 6 })
  .chain((spec) => {
    const columns = spec.map(([t, nullable], i): PgColumn => ({
      name: `c${i}`,
      typeName: t.typeName,
      typeOid: t.typeOid,
      typeCategory: t.typeCategory,
      nullable,
    }));
    const row = fc.tuple(
      ...spec.map(([t, nullable]) => (nullable ? fc.option(t.value, { nil: null, freq: 4 }) : t.value)),
    );
    return fc.array(row, { maxLength: 12 }).map((rows) => ({ columns, rows }));
  });

const streamOf = (t: Table): Uint8Array => {
  const b = new CopyStreamBuilder().header();
  for (const r of t.rows) b.row(r);
  return b.trailer().bytes();
};
const rowBytes = (t: Table): Uint8Array => concatBytes(t.rows.map((r) => new CopyStreamBuilder().row(r).bytes()));

/** Cuts `bytes` at the given fractions (sorted, deduplicated): pieces of any size, including empty. */
function cut(bytes: Uint8Array, fractions: readonly number[]): Uint8Array[] {
  const at = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of at) {
    pieces.push(bytes.subarray(from, to));
    from = to;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 8 });

/** Batch byte limits from one byte (a batch per row) to never reached. */
const maxBytes = fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined });

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function decodeAll(
  columns: readonly PgColumn[],
  pieces: readonly Uint8Array[],
  batchRows: number,
  maxBatchBytes?: number,
) {
  const d = new CopyBinaryDecoder(columns, { batchRows, maxBatchBytes });
  const out = pieces.flatMap((p) => d.push(p));
  return [...out, ...d.finish()];
}

function splitAll(
  fieldCount: number,
  pieces: readonly Uint8Array[],
  batchRows: number,
  maxBatchBytes?: number,
  firstBatchRows?: number,
) {
  const s = new CopyRowSplitter({ fieldCount, batchRows, maxBatchBytes, firstBatchRows });
  const out = pieces.flatMap((p) => s.push(p));
  return [...out, ...s.finish()];
}

/** A damaged copy of `bytes`: bits flipped, cut short, bytes inserted or removed. */
const damage = (bytes: Uint8Array): fc.Arbitrary<Uint8Array> => {
  const index = fc.nat({ max: Math.max(0, bytes.length - 1) });
  return fc.oneof(
    fc.tuple(index, fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const c = bytes.slice();
      c[i] ^= x;
      return c;
    }),
    fc.nat({ max: bytes.length }).map((n) => bytes.slice(0, n)),
    fc
      .tuple(fc.nat({ max: bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([i, ins]) => concatBytes([bytes.subarray(0, i), ins, bytes.subarray(i)])),
    fc
      .tuple(index, fc.integer({ min: 1, max: 8 }))
      .map(([i, n]) => concatBytes([bytes.subarray(0, i), bytes.subarray(i + n)])),
    fc.array(fc.tuple(index, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((edits) => {
      const c = bytes.slice();
      for (const [i, x] of edits) c[i] = x;
      return c;
    }),
  );
};

/** Runs `f`; returns normally on success or CopyFormatError, rethrows anything else (failing the property). */
function onlyCopyFormatErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (err instanceof CopyFormatError) {
      expect(err.offset).toBeGreaterThanOrEqual(0);
      return;
    }
    throw err;
  }
}

describe('COPY BINARY codecs (properties)', () => {
  it('decoder → encoder gives back the rows byte for byte, for any schema, rows, chunking and batch size', () => {
    fc.assert(
      fc.property(table, cuts, fc.integer({ min: 1, max: 5 }), maxBytes, (t, fractions, batchRows, maxBatchBytes) => {
        const batches = decodeAll(t.columns, cut(streamOf(t), fractions), batchRows, maxBatchBytes);
        expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(t.rows.length);
        const enc = new CopyBinaryEncoder(t.columns);
        expect(hex(concatBytes(batches.map((b) => enc.encode(b))))).toBe(hex(rowBytes(t)));
      }),
      params,
    );
  });

  it('the row splitter returns the rows verbatim, whatever the chunking', () => {
    fc.assert(
      fc.property(
        table,
        cuts,
        fc.integer({ min: 1, max: 5 }),
        maxBytes,
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        (t, fractions, batchRows, maxBatchBytes, firstBatchRows) => {
          const chunks = splitAll(
            t.columns.length,
            cut(streamOf(t), fractions),
            batchRows,
            maxBatchBytes,
            firstBatchRows,
          );
          expect(chunks.map((c) => c.rows).reduce((a, b) => a + b, 0)).toBe(t.rows.length);
          expect(chunks.every((c) => c.rows <= batchRows)).toBe(true);
          expect(hex(concatBytes(chunks.map((c) => c.bytes)))).toBe(hex(rowBytes(t)));
        },
      ),
      params,
    );
  });

  it('a damaged stream makes the decoder throw CopyFormatError or decode something, never crash otherwise', () => {
    const damaged = table.chain((t) => fc.tuple(fc.constant(t), damage(streamOf(t)), cuts));
    fc.assert(
      fc.property(damaged, ([t, bytes, fractions]) => {
        onlyCopyFormatErrors(() => decodeAll(t.columns, cut(bytes, fractions), 3));
      }),
      params,
    );
  });

  it('a damaged stream makes the row splitter throw CopyFormatError or split something, never crash otherwise', () => {
    const damaged = table.chain((t) => fc.tuple(fc.constant(t), damage(streamOf(t)), cuts));
    fc.assert(
      fc.property(damaged, ([t, bytes, fractions]) => {
        onlyCopyFormatErrors(() => splitAll(t.columns.length, cut(bytes, fractions), 3));
      }),
      params,
    );
  });

  it('a damaged stream the decoder accepts, the row splitter accepts too, with as many rows', () => {
    const damaged = table.chain((t) => fc.tuple(fc.constant(t), damage(streamOf(t))));
    fc.assert(
      fc.property(damaged, ([t, bytes]) => {
        let decodedRows: number;
        try {
          decodedRows = decodeAll(t.columns, [bytes], 3).reduce((n, b) => n + b.numRows, 0);
        } catch (err) {
          if (err instanceof CopyFormatError) return;
          throw err;
        }
        const chunks = splitAll(t.columns.length, [bytes], 3);
        expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(decodedRows);
      }),
      params,
    );
  });

  it('random bytes after a valid header give a CopyFormatError or rows, never another exception', () => {
    const header = new CopyStreamBuilder().header().bytes();
    fc.assert(
      fc.property(table, fc.uint8Array({ maxLength: 200 }), cuts, (t, junk, fractions) => {
        const pieces = cut(concatBytes([header, junk]), fractions);
        onlyCopyFormatErrors(() => decodeAll(t.columns, pieces, 4));
        onlyCopyFormatErrors(() => splitAll(t.columns.length, pieces, 4));
      }),
      params,
    );
  });
});

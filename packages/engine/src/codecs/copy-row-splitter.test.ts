import { describe, expect, it } from 'vitest';
import { CopyRowSplitter, type CopyRowsChunk } from './copy-row-splitter.js';
import { ALL_TYPES_COLUMNS, allTypesStream } from './test-support/all-types-fixture.js';
import { concatBytes, CopyStreamBuilder, pg } from './test-support/copy-stream-builder.js';

function rowsStream(n: number, extension = new Uint8Array(0)): { stream: Uint8Array; rows: Uint8Array[] } {
  const rows: Uint8Array[] = [];
  for (let i = 0; i < n; i++)
    rows.push(new CopyStreamBuilder().row([pg.int4(i), i % 3 === 0 ? null : pg.text(`n${'x'.repeat(i % 7)}`)]).bytes());
  const header = new CopyStreamBuilder().header(extension).bytes();
  return { stream: concatBytes([header, ...rows, new Uint8Array([0xff, 0xff])]), rows };
}

function split(
  fieldCount: number,
  pieces: readonly Uint8Array[],
  batchRows?: number,
  maxBatchBytes?: number,
): CopyRowsChunk[] {
  const s = new CopyRowSplitter({ fieldCount, batchRows, maxBatchBytes });
  const out: CopyRowsChunk[] = [];
  for (const p of pieces) out.push(...s.push(p));
  out.push(...s.finish());
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('CopyRowSplitter', () => {
  it('returns the rows verbatim, without header and trailer, cut at batchRows', () => {
    const { stream, rows } = rowsStream(10);
    const chunks = split(2, [stream], 4);
    expect(chunks.map((c) => c.rows)).toEqual([4, 4, 2]);
    expect(hex(concatBytes(chunks.map((c) => c.bytes)))).toBe(hex(concatBytes(rows)));
    expect(hex(chunks[0]!.bytes)).toBe(hex(concatBytes(rows.slice(0, 4))));
  });

  it('gives the same chunks for the stream split at every byte boundary (and a header extension)', () => {
    const { stream, rows } = rowsStream(7, new Uint8Array([1, 2, 3]));
    const whole = JSON.stringify(split(2, [stream], 3).map((c) => [c.rows, hex(c.bytes)]));
    expect(JSON.parse(whole).map((c: [number]) => c[0])).toEqual([3, 3, 1]);
    expect(hex(concatBytes(split(2, [stream], 3).map((c) => c.bytes)))).toBe(hex(concatBytes(rows)));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(
        JSON.stringify(split(2, [stream.subarray(0, cut), stream.subarray(cut)], 3).map((c) => [c.rows, hex(c.bytes)])),
        `cut ${cut}`,
      ).toBe(whole);
    }
    const bytewise = Array.from(stream, (b) => Uint8Array.of(b));
    expect(JSON.stringify(split(2, bytewise, 3).map((c) => [c.rows, hex(c.bytes)]))).toBe(whole);
  });

  it('walks every type of the all-types fixture (NULLs, arrays, numerics) as whole rows', () => {
    const stream = allTypesStream();
    const chunks = split(ALL_TYPES_COLUMNS.length, [stream]);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBeGreaterThan(0);
    expect(concatBytes(chunks.map((c) => c.bytes)).length).toBe(stream.length - 19 - 2);
  });

  it('a smaller first chunk (firstBatchRows), then full ones; every byte boundary gives the same chunks', () => {
    const { stream, rows } = rowsStream(11);
    const cut = (pieces: readonly Uint8Array[]): string => {
      const s = new CopyRowSplitter({ fieldCount: 2, batchRows: 4, firstBatchRows: 2 });
      const out = pieces.flatMap((p) => s.push(p));
      out.push(...s.finish());
      return JSON.stringify(out.map((c) => [c.rows, hex(c.bytes)]));
    };
    const whole = cut([stream]);
    expect((JSON.parse(whole) as [number, string][]).map(([n]) => n)).toEqual([2, 4, 4, 1]);
    expect((JSON.parse(whole) as [number, string][]).map(([, h]) => h).join('')).toBe(hex(concatBytes(rows)));
    for (let at = 1; at < stream.length; at++)
      expect(cut([stream.subarray(0, at), stream.subarray(at)]), `cut ${at}`).toBe(whole);
    // never larger than batchRows
    const s = new CopyRowSplitter({ fieldCount: 2, batchRows: 3, firstBatchRows: 100 });
    expect([...s.push(stream), ...s.finish()].map((c) => c.rows)).toEqual([3, 3, 3, 2]);
  });

  it('cuts at maxBatchBytes after the row that reaches it', () => {
    const { stream } = rowsStream(10);
    const chunks = split(2, [stream], 1000, 1);
    expect(chunks.map((c) => c.rows)).toEqual(Array(10).fill(1));
  });

  it('an empty table gives one zero-row chunk; a stream of exact batches no trailing empty one', () => {
    expect(split(2, [rowsStream(0).stream]).map((c) => c.rows)).toEqual([0]);
    expect(split(2, [rowsStream(4).stream], 2).map((c) => c.rows)).toEqual([2, 2]);
  });

  it('refuses corrupt and truncated streams with the decoder error codes', () => {
    const { stream } = rowsStream(3);
    const bad = stream.slice();
    bad[0] = 0x51;
    expect(() => split(2, [bad])).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
    expect(() => split(3, [stream])).toThrow(expect.objectContaining({ code: 'BAD_FIELD_COUNT', row: 0 }));
    expect(() => split(2, [stream.subarray(0, stream.length - 1)])).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
    expect(() => split(2, [stream.subarray(0, stream.length - 5)])).toThrow(
      expect.objectContaining({ code: 'TRUNCATED' }),
    );
    expect(() => split(2, [stream.subarray(0, 10)])).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => split(2, [stream, Uint8Array.of(0)])).toThrow(expect.objectContaining({ code: 'DATA_AFTER_TRAILER' }));
    const negative = new CopyStreamBuilder().header().bytes();
    const row = Uint8Array.from([0, 2, 0xff, 0xff, 0xff, 0xfe]);
    expect(() => split(2, [negative, row])).toThrow(expect.objectContaining({ code: 'BAD_FIELD_LENGTH' }));
    const oids = new CopyStreamBuilder()
      .header(new Uint8Array(0), 1 << 16)
      .trailer()
      .bytes();
    expect(() => split(2, [oids])).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
  });

  it('does not keep a reference to the caller piece across calls (carry is copied)', () => {
    const { stream, rows } = rowsStream(5);
    const s = new CopyRowSplitter({ fieldCount: 2, batchRows: 100 });
    const reused = new Uint8Array(stream.length);
    reused.set(stream.subarray(0, 30));
    s.push(reused.subarray(0, 30));
    reused.fill(0xaa);
    reused.set(stream.subarray(30), 0);
    s.push(reused.subarray(0, stream.length - 30));
    const [chunk] = s.finish();
    expect(hex(chunk!.bytes)).toBe(hex(concatBytes(rows)));
  });

  it('one 64 MB row fed in 64 KiB pieces: buffers grow geometrically (O(log n) allocations), the row arrives whole', () => {
    const size = 64 * 1024 * 1024;
    const value = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) value[i] = (i >>> 12) & 0xff;
    const small = new CopyStreamBuilder().row([pg.int4(1), pg.text('a')]).bytes();
    const rowHead = new CopyStreamBuilder().row([pg.int4(2), new Uint8Array(0)]).bytes();
    // the big row: field count, int4, then the value's length and bytes
    const head = new Uint8Array(2 + 8 + 4);
    head.set(rowHead.subarray(0, 10), 0);
    new DataView(head.buffer).setInt32(10, size);
    const stream = concatBytes([
      new CopyStreamBuilder().header().bytes(),
      small,
      head,
      value,
      small,
      Uint8Array.of(0xff, 0xff),
    ]);
    const s = new CopyRowSplitter({ fieldCount: 2, batchRows: 1000 });
    const chunks: CopyRowsChunk[] = [];
    const piece = 64 * 1024;
    for (let at = 0; at < stream.length; at += piece) chunks.push(...s.push(stream.subarray(at, at + piece)));
    chunks.push(...s.finish());
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(3);
    const rows = concatBytes(chunks.map((c) => c.bytes));
    expect(rows.length).toBe(small.length * 2 + head.length + size);
    expect(Buffer.compare(rows.subarray(small.length + head.length, small.length + head.length + size), value)).toBe(0);
    // 1024 pieces: a copy of the carry per piece would be ~1024 allocations; doubling needs ~2·log2(1024)
    expect(s.allocations).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size / piece)) + 4);
  });

  it('pieces that split a multi-field row between its fields give the same chunks', () => {
    const big = new Uint8Array(300_000).fill(7);
    const row = new CopyStreamBuilder().row([pg.int4(5), big]).bytes();
    const stream = concatBytes([new CopyStreamBuilder().header().bytes(), row, row, Uint8Array.of(0xff, 0xff)]);
    const want = hex(concatBytes([row, row]));
    for (const piece of [1, 3, 1000, 65536, 299_999]) {
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += piece) pieces.push(stream.subarray(at, at + piece));
      const chunks = split(2, pieces, 1);
      expect(
        chunks.map((c) => c.rows),
        `piece ${piece}`,
      ).toEqual([1, 1]);
      expect(hex(concatBytes(chunks.map((c) => c.bytes))), `piece ${piece}`).toBe(want);
    }
  });
});

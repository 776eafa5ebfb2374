import { Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Utf8, type Data } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { FrameHandle } from '../guest/wit-types.js';
import { buildColumn } from './column-builder.js';
import { FrameOpError } from './frame-op-error.js';
import { frameOperationImports, type FrameStore } from './frame-op-imports.js';
import { frameRecords, sliceFrame } from './frame-slice.js';

function batch(n: number): RecordBatch {
  const columns: Record<string, Data> = {
    id: buildColumn({
      type: new Int64(),
      values: Array.from({ length: n }, (_, i) => (i === 2 ? null : BigInt(i) * 10_000_000_000_000_000n)),
    }),
    n: buildColumn({ type: new Int32(), values: Array.from({ length: n }, (_, i) => BigInt(i)) }),
    s: buildColumn({ type: new Utf8(), values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `v${i}`)) }),
  };
  const fields = Object.entries(columns).map(([name, d]) => new Field(name, d.type, true));
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: n, nullCount: 0, children: Object.values(columns) }),
  );
}

/** A store that counts adds and keeps frames as they are. */
function store(): FrameStore & { map: Map<FrameHandle, RecordBatch>; shared: number } {
  const map = new Map<FrameHandle, RecordBatch>();
  let next = 1n;
  const s = {
    map,
    shared: 0,
    get: (h: FrameHandle) => map.get(h) as RecordBatch,
    add: (b: RecordBatch) => {
      map.set(next, b);
      return next++;
    },
    share: (h: FrameHandle) => {
      s.shared += 1;
      return s.add(map.get(h) as RecordBatch);
    },
    rowCount: (h: FrameHandle) => (map.get(h) as RecordBatch).numRows,
  };
  return s;
}

describe('frame-slice / frame-records', () => {
  it('the whole range is the same batch (no copy); a part shares the buffers', () => {
    const b = batch(8);
    expect(sliceFrame(b, 0, 8)).toBe(b);
    const part = sliceFrame(b, 3, 4);
    expect(part.numRows).toBe(4);
    expect(part.data.children[1]?.values.buffer).toBe(b.data.children[1]?.values.buffer);
  });

  it('renders rows as filter records: int8 beyond 2^53 as text, NULL as null; also of a slice', () => {
    const b = batch(8);
    expect(frameRecords(b, 1, 2)).toEqual([
      { id: '10000000000000000', n: 1, s: 'v1' },
      { id: null, n: 2, s: 'v2' },
    ]);
    const part = sliceFrame(b, 3, 4);
    expect(frameRecords(part, 0, 2)).toEqual([
      { id: '30000000000000000', n: 3, s: null },
      { id: '40000000000000000', n: 4, s: 'v4' },
    ]);
    expect(frameRecords(part, 3, 1)).toEqual(frameRecords(b, 6, 1));
    expect(frameRecords(b, 8, 0)).toEqual([]);
  });

  it('refuses a range outside the frame with BAD_RANGE', () => {
    const b = batch(4);
    expect(() => sliceFrame(b, 2, 3)).toThrow(FrameOpError);
    expect(() => frameRecords(b, -1, 1)).toThrow(/outside the frame's 4 rows/);
  });

  it('the host import shares a whole frame as stored and slices a part', () => {
    const s = store();
    const ops = frameOperationImports(s) as unknown as {
      frameSlice(f: bigint, o: bigint, l: bigint): bigint;
      frameRecords(f: bigint, o: bigint, c: bigint): string;
    };
    const h = s.add(batch(6));
    const whole = ops.frameSlice(h, 0n, 6n);
    expect(s.shared).toBe(1);
    expect(s.map.get(whole)).toBe(s.map.get(h));
    const part = ops.frameSlice(h, 2n, 2n);
    expect(s.shared).toBe(1);
    expect(JSON.parse(ops.frameRecords(part, 1n, 1n))).toEqual([{ id: '30000000000000000', n: 3, s: null }]);
    expect(() => ops.frameSlice(h, 5n, 2n)).toThrow(
      expect.objectContaining({ payload: expect.objectContaining({ code: 'BAD_RANGE' }) }),
    );
  });
});

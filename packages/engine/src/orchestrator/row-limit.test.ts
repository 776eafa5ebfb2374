import { makeData, RecordBatch, Schema, Field, Int32, Struct, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { RowLimit } from './row-limit.js';

function batchOf(n: number, from = 0): RecordBatch {
  const ids = vectorFromArray(
    Array.from({ length: n }, (_, i) => from + i),
    new Int32(),
  );
  const schema = new Schema([new Field('id', new Int32())]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, children: [ids.data[0]!] }));
}

describe('RowLimit', () => {
  it('passes whole frames until the limit, slices the frame that crosses it, then drops everything', () => {
    const limit = new RowLimit(25);
    expect(limit.take(batchOf(10))?.numRows).toBe(10);
    expect(limit.reached).toBe(false);
    const sliced = limit.take(batchOf(10, 10));
    expect(sliced?.numRows).toBe(10);
    const last = limit.take(batchOf(10, 20));
    expect(last?.numRows).toBe(5);
    expect(last?.getChild('id')?.toArray()).toEqual(Int32Array.from([20, 21, 22, 23, 24]));
    expect(limit.reached).toBe(true);
    expect(limit.passed).toBe(25);
    expect(limit.take(batchOf(3))).toBeUndefined();
  });

  it('a frame of exactly the remaining rows passes whole; zero-row frames and a limit of 0 work', () => {
    const exact = new RowLimit(4);
    expect(exact.take(batchOf(0))?.numRows).toBe(0);
    expect(exact.take(batchOf(4))?.numRows).toBe(4);
    expect(exact.reached).toBe(true);
    const none = new RowLimit(0);
    expect(none.reached).toBe(true);
    expect(none.take(batchOf(2))).toBeUndefined();
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => new RowLimit(-1)).toThrow(RangeError);
    expect(() => new RowLimit(1.5)).toThrow(RangeError);
  });
});

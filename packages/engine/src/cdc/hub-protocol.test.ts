import { describe, expect, it } from 'vitest';
import { ITEM_KINDS, ItemPacker, transferablesOf } from './hub-protocol.js';

function unpack(batch: ReturnType<ItemPacker['take']>): { kind: number; lsn: bigint; data: number[] }[] {
  return [...batch.kinds].map((kind, i) => ({
    kind,
    lsn: batch.lsns[i] as bigint,
    data: [...batch.data.subarray(i === 0 ? 0 : (batch.ends[i - 1] as number), batch.ends[i])],
  }));
}

describe('ItemPacker', () => {
  it('packs items with and without data in order and resets after take', () => {
    const packer = new ItemPacker();
    packer.push(ITEM_KINDS.relation, 0n, Uint8Array.from([82, 1]));
    packer.push(ITEM_KINDS.change, 7n, Uint8Array.from([73, 2, 3]));
    packer.push(ITEM_KINDS.commit, 9n);
    packer.push(ITEM_KINDS.change, 10n, new Uint8Array(0));
    expect(packer.count).toBe(4);
    expect(packer.bytes).toBe(5);
    const batch = packer.take();
    expect(unpack(batch)).toEqual([
      { kind: 1, lsn: 0n, data: [82, 1] },
      { kind: 2, lsn: 7n, data: [73, 2, 3] },
      { kind: 3, lsn: 9n, data: [] },
      { kind: 2, lsn: 10n, data: [] },
    ]);
    expect(packer.count).toBe(0);
    expect(unpack(packer.take())).toEqual([]);
  });

  it('copies the bytes at push: a source buffer reused afterwards does not change what was packed', () => {
    const packer = new ItemPacker();
    const reused = Buffer.from([1, 2, 3]);
    packer.push(ITEM_KINDS.change, 1n, reused);
    reused.fill(0);
    expect(unpack(packer.take())[0]?.data).toEqual([1, 2, 3]);
  });

  it('grows past its initial buffer and hands out buffers of their own (transferable, not pooled)', () => {
    const packer = new ItemPacker();
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    for (let i = 0; i < 3; i++) packer.push(ITEM_KINDS.change, BigInt(i), big);
    const batch = packer.take();
    expect(batch.data.length).toBe(300_000);
    expect(batch.data.byteOffset).toBe(0);
    expect(batch.data.buffer.byteLength).toBe(300_000);
    expect(unpack(batch)[2]?.data.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(transferablesOf(batch)).toHaveLength(4);
  });
});

import { describe, expect, it } from 'vitest';
import { chunkRowsFor } from '../src/checkpoint-chunk-rows.js';

describe('chunkRowsFor', () => {
  it('uses the row interval when bytes are unknown or off', () => {
    expect(chunkRowsFor(20_000, undefined, 100)).toBe(20_000);
    expect(chunkRowsFor(20_000, 1 << 20, undefined)).toBe(20_000);
    expect(chunkRowsFor(20_000, 0, 100)).toBe(20_000);
  });

  it('cuts chunks to about the byte interval when rows are wide', () => {
    expect(chunkRowsFor(500_000, 256 * 1024 * 1024, 10_000)).toBe(26_843);
    expect(chunkRowsFor(500_000, 256 * 1024 * 1024, 100)).toBe(500_000);
  });

  it('never goes below one row and falls back on a bad row interval', () => {
    expect(chunkRowsFor(10, 1, 1_000_000)).toBe(1);
    expect(chunkRowsFor(Number.NaN, undefined, undefined)).toBe(500_000);
  });
});

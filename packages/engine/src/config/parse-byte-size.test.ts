import { describe, expect, it } from 'vitest';
import { parseByteSize } from './parse-byte-size.js';

describe('parseByteSize', () => {
  it.each<[number | string, number | undefined]>([
    ['8mb', 8 * 1024 * 1024],
    ['8MB', 8 * 1024 * 1024],
    ['8MiB', 8 * 1024 * 1024],
    ['512kb', 512 * 1024],
    ['512k', 512 * 1024],
    ['1.5gib', 1.5 * 1024 ** 3],
    ['100b', 100],
    ['4096', 4096],
    [' 2 mb ', 2 * 1024 * 1024],
    [4096, 4096],
    [0, undefined],
    ['0mb', undefined],
    [1.5, undefined],
    ['8tb', undefined],
    ['lots', undefined],
    ['-1mb', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(parseByteSize(input)).toBe(expected);
  });
});

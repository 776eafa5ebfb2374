import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.js';

describe('parseDuration', () => {
  it.each<[number | string, number | undefined]>([
    ['60s', 60_000],
    ['3s', 3_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    [' 10 s ', 10_000],
    ['45', 45_000],
    [45, 45_000],
    [0.25, 250],
    [0, undefined],
    ['0s', undefined],
    ['0.1ms', undefined],
    [-1, undefined],
    ['-3s', undefined],
    ['3 days', undefined],
    ['soon', undefined],
  ])('%s -> %s ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});

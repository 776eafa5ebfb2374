import { describe, expect, it } from 'vitest';
import { sqlstateKind } from './sqlstate-kind.js';

describe('sqlstateKind', () => {
  it.each([
    ['08006', 'transient'],
    ['57P01', 'transient'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['53300', 'transient'],
    ['28P01', 'auth'],
    ['42P01', 'permanent'],
    ['23505', undefined],
    [undefined, undefined],
  ])('%s -> %s', (state, kind) => {
    expect(sqlstateKind(state)).toBe(kind);
  });
});

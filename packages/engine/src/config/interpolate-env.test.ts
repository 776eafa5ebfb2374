import { describe, expect, it } from 'vitest';
import { interpolateEnv } from './interpolate-env.js';

describe('interpolateEnv', () => {
  const env = { A: 'x', EMPTY: '', PW: 'p@ss:w/rd%$' };

  it.each([
    ['plain', 'plain'],
    ['${A}', 'x'],
    ['pre-${A}-post-${A}', 'pre-x-post-x'],
    ['${PW}', 'p@ss:w/rd%$'],
    ['${UNSET:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY}', ''],
    ['${A:-dflt}', 'x'],
    ['${UNSET:-}', ''],
    ['${UNSET:-a:b}c', 'a:bc'],
    ['$${A}', '${A}'],
    ['$$${A}', '$${A}'], // leftmost $${ is the escape
    ['cost $5', 'cost $5'],
    ['$', '$'],
  ])('%s -> %s', (template, expected) => {
    const result = interpolateEnv(template, env);
    expect(result.value).toBe(expected);
    expect(result.missing).toEqual([]);
    expect(result.malformed).toBeUndefined();
  });

  it('does not re-interpolate inserted values', () => {
    expect(interpolateEnv('${V}', { V: '${A}' }).value).toBe('${A}');
  });

  it('lists every missing variable', () => {
    const result = interpolateEnv('${X}:${A}:${Y}:${X}', env);
    expect(result.missing).toEqual(['X', 'Y', 'X']);
    expect(result.references.map((r) => r.name)).toEqual(['X', 'A', 'Y', 'X']);
  });

  it.each(['${', '${A', '${}', '${1A}', '${A B}', '${A:default}'])('%s is malformed', (template) => {
    expect(interpolateEnv(template, env).malformed).toBeDefined();
  });
});

import { describe, expect, it } from 'vitest';
import { ConnectorMetrics, MAX_CONNECTOR_METRICS } from './connector-metrics.js';

describe('ConnectorMetrics', () => {
  it('sums counters (names ending _total) and keeps the last gauge value between flushes', () => {
    const m = new ConnectorMetrics();
    for (let i = 0; i < 1000; i++) m.record('queries_total', 1);
    m.record('queue_depth', 5);
    m.record('queue_depth', 2);
    expect(m.flush()).toEqual([
      { name: 'queries_total', kind: 'counter', value: 1000 },
      { name: 'queue_depth', kind: 'gauge', value: 2 },
    ]);
    expect(m.flush()).toEqual([]);
    m.record('queries_total', 3);
    expect(m.flush()).toEqual([{ name: 'queries_total', kind: 'counter', value: 3 }]);
  });

  it('refuses bad names and values once each, with a message naming them', () => {
    const m = new ConnectorMetrics();
    expect(m.record('Rows-Read', 1)).toBe(
      'metric name "Rows-Read" is not [a-z][a-z0-9_]* (at most 63 characters); dropped',
    );
    expect(m.record('Rows-Read', 1)).toBeUndefined();
    expect(m.record('x'.repeat(64), 1)).toMatch(/is not \[a-z\]/);
    expect(m.record('rows_total', -1)).toBe('metric rows_total: -1 is not a finite non-negative number; dropped');
    expect(m.record('lag', Number.NaN)).toBe('metric lag: NaN is not a finite number; dropped');
    expect(m.record('lag', -4)).toBeUndefined();
    expect(m.flush()).toEqual([{ name: 'lag', kind: 'gauge', value: -4 }]);
  });

  it('bounds the number of distinct names per stage', () => {
    const m = new ConnectorMetrics();
    for (let i = 0; i < MAX_CONNECTOR_METRICS; i++) expect(m.record(`m${i}`, i)).toBeUndefined();
    expect(m.record('one_more', 1)).toBe(
      `metric one_more: a stage may report at most ${MAX_CONNECTOR_METRICS} metric names; dropped`,
    );
    expect(m.record('m0', 7)).toBeUndefined();
    expect(m.flush()).toHaveLength(MAX_CONNECTOR_METRICS);
  });
});

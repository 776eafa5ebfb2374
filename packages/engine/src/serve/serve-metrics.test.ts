import { describe, expect, it } from 'vitest';
import type { StreamResult } from '../orchestrator/run-result.js';
import { METRIC_NAMES, ServeMetrics } from './serve-metrics.js';

const metricsOf = (depth = new Map<string, number>()): ServeMetrics =>
  new ServeMetrics({ outboxDepth: () => Promise.resolve(depth) });

/** The value of one sample line of the exposition text, or undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

const result = (over: Partial<StreamResult>): StreamResult => ({
  stream: 'public.a',
  status: 'succeeded',
  startedAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:00:10.000Z',
  durationMs: 10_000,
  attempts: 1,
  rowsRead: 0,
  bytesRead: 0,
  rowsWritten: 0,
  bytesWritten: 0,
  ...over,
});

describe('ServeMetrics', () => {
  it('exposes every named metric, and only names that Prometheus accepts', async () => {
    const { body } = await metricsOf().render();
    for (const name of METRIC_NAMES) {
      expect(name).toMatch(/^rapidbyte_[a-z_]+$/);
      expect(body).toContain(`# TYPE ${name} `);
    }
  });

  it('stream counters grow with each progress report, restart their base on a new attempt, and end equal to the result', async () => {
    const m = metricsOf();
    const rows = async (): Promise<number | undefined> =>
      sample((await m.render()).body, 'rapidbyte_stream_rows_written_total{pipeline="p",stream="public.a"}');
    const progress = (rowsWritten: number) => ({
      type: 'stream-progress' as const,
      stream: 'public.a',
      counters: { rowsRead: rowsWritten, bytesRead: 0, rowsWritten, bytesWritten: 0 },
    });
    m.onRunEvent('p', { type: 'run-started', runId: 1, pipeline: 'p', streams: ['public.a'] });
    m.onRunEvent('p', { type: 'stream-started', stream: 'public.a', attempt: 1 });
    m.onRunEvent('p', progress(100));
    expect(await rows()).toBe(100);
    m.onRunEvent('p', progress(250));
    expect(await rows()).toBe(250);
    // a retry: its attempt counts from 0 again, on top of what the first committed
    m.onRunEvent('p', { type: 'stream-started', stream: 'public.a', attempt: 2 });
    m.onRunEvent('p', progress(50));
    expect(await rows()).toBe(300);
    // the result counts 320 (the last report was missed): the counter is topped up to it
    m.onRunEvent('p', { type: 'stream-finished', result: result({ rowsWritten: 320, attempts: 2 }) });
    expect(await rows()).toBe(320);
    const text = (await m.render()).body;
    expect(sample(text, 'rapidbyte_stream_retries_total{pipeline="p",stream="public.a"}')).toBe(1);
    // a second run adds to the same counter
    m.onRunEvent('p', { type: 'run-started', runId: 2, pipeline: 'p', streams: ['public.a'] });
    m.onRunEvent('p', { type: 'stream-started', stream: 'public.a', attempt: 1 });
    m.onRunEvent('p', progress(10));
    m.onRunEvent('p', { type: 'stream-finished', result: result({ rowsWritten: 10 }) });
    expect(await rows()).toBe(330);
  });

  it('records run outcomes and durations, slot lag, alerts, outbox depth and connector metrics with bounded labels', async () => {
    const m = metricsOf(new Map([['p', 3]]));
    m.onRunEvent('p', {
      type: 'run-finished',
      result: { runId: 1, pipeline: 'p', status: 'failed', durationMs: 2500, streams: [] },
    });
    m.recordSlotLag('p', { slot: 'rapidbyte_p', lagBytes: 4096, lagSeconds: 1.5 });
    m.recordAlert('p', 'slot_lag_bytes', true);
    m.onRunEvent('p', {
      type: 'connector-metrics',
      stream: 'public.a',
      stage: 'source:source-postgres',
      samples: [
        { name: 'queries_total', kind: 'counter', value: 3 },
        { name: 'queue_depth', kind: 'gauge', value: 7 },
      ],
    });
    const text = (await m.render()).body;
    expect(sample(text, 'rapidbyte_runs_total{pipeline="p",status="failed"}')).toBe(1);
    expect(sample(text, 'rapidbyte_run_duration_seconds_sum{pipeline="p",status="failed"}')).toBe(2.5);
    expect(sample(text, 'rapidbyte_run_duration_seconds_bucket{le="5",pipeline="p",status="failed"}')).toBe(1);
    expect(sample(text, 'rapidbyte_cdc_slot_lag_bytes{pipeline="p",slot="rapidbyte_p"}')).toBe(4096);
    expect(sample(text, 'rapidbyte_cdc_lag_seconds{pipeline="p",slot="rapidbyte_p"}')).toBe(1.5);
    expect(sample(text, 'rapidbyte_alert_firing{pipeline="p",alert="slot_lag_bytes"}')).toBe(1);
    expect(sample(text, 'rapidbyte_outbox_pending_deliveries{pipeline="p"}')).toBe(3);
    expect(
      sample(
        text,
        'rapidbyte_connector_counter_total{pipeline="p",stream="public.a",stage="source:source-postgres",name="queries_total"}',
      ),
    ).toBe(3);
    expect(
      sample(
        text,
        'rapidbyte_connector_gauge{pipeline="p",stream="public.a",stage="source:source-postgres",name="queue_depth"}',
      ),
    ).toBe(7);
  });

  it('two instances never share a registry', async () => {
    const a = metricsOf();
    const b = metricsOf();
    a.recordAlert('p', 'dead_letters', true);
    expect(
      sample((await b.render()).body, 'rapidbyte_alert_firing{pipeline="p",alert="dead_letters"}'),
    ).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import type { CdcLagSample } from '../state/index.js';
import { CDC_LAG_SAMPLE_EVERY_MS, cdcLagRecorder } from './cdc-lag-recorder.js';

describe('cdcLagRecorder', () => {
  it('records one sample per stream per interval, each stream on its own clock', async () => {
    const recorded: Omit<CdcLagSample, 'at'>[] = [];
    let now = 1_000_000;
    const record = cdcLagRecorder(
      { recordCdcLag: async (sample) => void recorded.push(sample) },
      'p',
      () => undefined,
      () => now,
    );
    record('public.a', 100);
    record('public.a', 200); // same instant: dropped
    record('public.b', 7);
    now += CDC_LAG_SAMPLE_EVERY_MS - 1;
    record('public.a', 300); // too soon
    now += 1;
    record('public.a', 400);
    await Promise.resolve();
    expect(recorded).toEqual([
      { pipeline: 'p', stream: 'public.a', lagBytes: 100 },
      { pipeline: 'p', stream: 'public.b', lagBytes: 7 },
      { pipeline: 'p', stream: 'public.a', lagBytes: 400 },
    ]);
  });

  it('a failed write is a warning naming the stream, never an exception', async () => {
    const warnings: string[] = [];
    const record = cdcLagRecorder({ recordCdcLag: () => Promise.reject(new Error('disk full')) }, 'p', (m) =>
      warnings.push(m),
    );
    expect(() => record('public.a', 1)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual(['public.a: could not record a CDC lag sample in the state DB: disk full']);
  });
});

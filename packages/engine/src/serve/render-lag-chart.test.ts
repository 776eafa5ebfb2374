import { describe, expect, it } from 'vitest';
import type { CdcLagSample } from '../state/index.js';
import { formatLagBytes, LAG_CHART_WINDOW_MS, renderLagChart } from './render-lag-chart.js';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const at = (msBeforeNow: number): string => new Date(NOW.getTime() - msBeforeNow).toISOString();
const sample = (stream: string, msBeforeNow: number, lagBytes: number): CdcLagSample => ({
  pipeline: 'p',
  stream,
  at: at(msBeforeNow),
  lagBytes,
});

/** The polyline's points as [x, y] numbers. */
function points(svg: string): number[][] {
  const match = /<polyline points="([^"]*)"/.exec(svg);
  expect(match, svg).not.toBeNull();
  return (match?.[1] ?? '').split(' ').map((p) => p.split(',').map(Number));
}

describe('renderLagChart', () => {
  it('plots the hour ending now left to right and 0..max bottom to top, oldest first', () => {
    const svg = renderLagChart(
      'public.ev',
      [
        sample('public.ev', 0, 1024),
        sample('public.ev', LAG_CHART_WINDOW_MS, 0),
        sample('public.ev', LAG_CHART_WINDOW_MS / 2, 4096),
      ],
      NOW,
    );
    // 3 px of room on each side: x 3..237, y 37 (0) ..3 (max)
    expect(points(svg)).toEqual([
      [3, 37],
      [120, 3],
      [237, 28.5],
    ]);
    expect(svg).toContain('public.ev: lag 1.0 KiB <span class="muted">(max 4.0 KiB, 3 samples)</span>');
    expect(svg).toContain('<title>CDC lag of public.ev, last hour</title>');
  });

  it("leaves out samples older than the hour and other streams' samples", () => {
    const svg = renderLagChart(
      'public.ev',
      [
        sample('public.ev', LAG_CHART_WINDOW_MS + 1, 10 ** 9),
        sample('public.other', 60_000, 10 ** 9),
        sample('public.ev', 60_000, 100),
        sample('public.ev', 0, 50),
      ],
      NOW,
    );
    expect(points(svg)).toHaveLength(2);
    expect(svg).toContain('(max 100 B, 2 samples)');
  });

  it('a flat zero lag stays on the baseline; one sample is a dot', () => {
    expect(points(renderLagChart('s', [sample('s', 10, 0), sample('s', 0, 0)], NOW)).map((p) => p[1])).toEqual([
      37, 37,
    ]);
    const one = renderLagChart('s', [sample('s', 0, 5)], NOW);
    expect(one).toMatch(/<circle cx="237.0" cy="3.0" r="2"/);
    expect(one).toContain('(max 5 B, 1 sample)');
  });

  it('says when there is no sample, and escapes the stream name', () => {
    expect(renderLagChart('public."<x>"', [], NOW)).toBe(
      '<div class="lag"><span class="muted">public.&#34;&#60;x&#62;&#34;: no CDC lag samples in the last hour</span></div>',
    );
  });
});

describe('formatLagBytes', () => {
  it('uses binary units with one decimal past bytes', () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(formatLagBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '5.0 GiB',
    ]);
  });
});

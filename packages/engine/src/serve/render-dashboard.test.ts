import { describe, expect, it } from 'vitest';
import { renderDashboard } from './render-dashboard.js';

describe('renderDashboard', () => {
  it('shows each pipeline with its last runs as colored cells (oldest left) and the last run per stream, escaping names', () => {
    const html = renderDashboard(
      [
        {
          pipeline: 'orders<b>',
          schedule: 'every 2s, overlap skip, catch_up one',
          nextFire: '2026-01-01T00:00:02.000Z',
          paused: true,
          runs: [
            { runId: 2, pipeline: 'orders<b>', status: 'failed', startedAt: '2026-01-01T00:00:01Z', streams: [] },
            {
              runId: 1,
              pipeline: 'orders<b>',
              status: 'succeeded',
              startedAt: '2026-01-01T00:00:00Z',
              streams: [
                {
                  runId: 1,
                  stream: 'public.orders',
                  status: 'succeeded',
                  attempts: 1,
                  startedAt: '2026-01-01T00:00:00Z',
                  finishedAt: '2026-01-01T00:00:02Z',
                  counts: { rowsRead: 1000, rowsWritten: 1000, bytesRead: 0, bytesWritten: 0 },
                },
              ],
            },
          ],
          deadLetters: new Map([['public.orders', 3]]),
        },
      ],
      new Date('2026-01-01T00:00:03Z'),
    );
    expect(html).toContain('<h2>orders&#60;b&#62; <span class="paused">paused</span></h2>');
    const svg = html.slice(html.indexOf('<svg'));
    expect(svg.indexOf('run 1 succeeded')).toBeLessThan(svg.indexOf('run 2 failed'));
    expect(html).toContain('fill="#d1382f"><title>run 2 failed');
    // the newest run has no streams: its row says so through the table of run 2
    expect(html).toContain('stream (run 2)');
  });

  it('charts the CDC lag of the last hour per CDC stream of a pipeline that has them, and nothing for one without', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const html = renderDashboard(
      [
        {
          pipeline: 'events',
          schedule: 'every 1m, overlap skip, catch_up one',
          paused: false,
          runs: [],
          deadLetters: new Map(),
          cdcLag: {
            streams: ['public.ev', 'public.quiet'],
            samples: [
              { pipeline: 'events', stream: 'public.ev', at: '2026-01-01T11:30:00.000Z', lagBytes: 2048 },
              { pipeline: 'events', stream: 'public.ev', at: '2026-01-01T11:59:00.000Z', lagBytes: 0 },
            ],
          },
        },
        { pipeline: 'batch', schedule: 'none (trigger only)', paused: false, runs: [], deadLetters: new Map() },
      ],
      now,
    );
    const events = html.slice(html.indexOf('<h2>events'), html.indexOf('<h2>batch'));
    expect(events).toContain('<title>CDC lag of public.ev, last hour</title>');
    expect(events).toContain('public.ev: lag 0 B <span class="muted">(max 2.0 KiB, 2 samples)</span>');
    expect(events).toContain('public.quiet: no CDC lag samples in the last hour');
    expect(html.slice(html.indexOf('<h2>batch'))).not.toContain('class="lag"');
  });
});

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
});

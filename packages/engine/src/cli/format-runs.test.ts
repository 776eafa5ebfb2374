import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../state/index.js';
import { formatRuns } from './format-runs.js';

const run = (bytesRead: number): RunRecord => ({
  runId: 4,
  pipeline: 'p',
  status: 'succeeded',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  streams: [
    {
      runId: 4,
      stream: 'public.t',
      status: 'succeeded',
      attempts: 1,
      counts: { rowsRead: 10, rowsWritten: 10, bytesRead, bytesWritten: bytesRead },
    },
  ],
});

describe('formatRuns', () => {
  it.each([
    [512, '512 B'],
    [2048, '2.0 KiB'],
    [181_000_000, '172.6 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('shows %i bytes as %s, like the run summary', (bytes, shown) => {
    const line = formatRuns([run(bytes)], () => []).split('\n')[1];
    expect(line).toBe(`  public.t  succeeded  read 10  written 10  bytes ${shown}  attempts 1`);
  });

  it('shows the rows attempts rolled back after the attempts, only when there were some', () => {
    const r = run(100);
    const counts = { ...(r.streams[0] as RunRecord['streams'][number]).counts, rowsRolledBack: 700 };
    const line = formatRuns(
      [{ ...r, streams: [{ ...(r.streams[0] as RunRecord['streams'][number]), counts }] }],
      () => [],
    ).split('\n')[1];
    expect(line).toBe('  public.t  succeeded  read 10  written 10  bytes 100 B  attempts 1  rolled back 700');
  });

  it("shows the run's holder, error and own transitions before its streams", () => {
    const r: RunRecord = {
      ...run(100),
      status: 'interrupted',
      holder: { pid: 41, host: 'h' },
      error: { code: 'AUTH_FAILED', kind: 'permanent', message: 'public.t: password authentication failed' },
    };
    const lines = formatRuns(
      [r],
      () => [],
      () => [
        { runId: 4, from: null, to: 'pending', at: '2026-01-01T00:00:00.000Z' },
        { runId: 4, from: 'pending', to: 'running', at: '2026-01-01T00:00:00.100Z' },
        {
          runId: 4,
          from: 'running',
          to: 'interrupted',
          at: '2026-01-01T00:00:01.000Z',
          reason: 'its process (pid 41 on host h) went away',
        },
      ],
    ).split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'run 4  p  interrupted  2026-01-01T00:00:00.000Z → 2026-01-01T00:00:01.000Z  (pid 41 on h)',
      '  error: permanent AUTH_FAILED: public.t: password authentication failed',
      '  2026-01-01T00:00:00.000Z  run - → pending',
      '  2026-01-01T00:00:00.100Z  run pending → running',
      '  2026-01-01T00:00:01.000Z  run running → interrupted  (its process (pid 41 on host h) went away)',
    ]);
    expect(lines[5]).toMatch(/^ {2}public\.t {2}succeeded {2}read 10/);
  });

  it('an open run shows its status where the finish time would be', () => {
    const { finishedAt: _, ...open } = run(1);
    expect(formatRuns([{ ...open, status: 'running' }], () => []).split('\n')[0]).toBe(
      'run 4  p  running  2026-01-01T00:00:00.000Z → (running)',
    );
  });

  it('shows how often the stall watchdog restarted or failed a stream, only when it did', () => {
    const r = run(100);
    const counts = { ...(r.streams[0] as RunRecord['streams'][number]).counts, stalls: 1 };
    const line = formatRuns(
      [{ ...r, streams: [{ ...(r.streams[0] as RunRecord['streams'][number]), attempts: 2, counts }] }],
      () => [],
    ).split('\n')[1];
    expect(line).toBe('  public.t  succeeded  read 10  written 10  bytes 100 B  attempts 2  stalls: 1');
  });

  it('says so when there are no runs', () => {
    expect(formatRuns([], () => [])).toBe('no runs recorded');
  });
});

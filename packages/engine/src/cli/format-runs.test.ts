import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../state/index.js';
import { formatRuns } from './format-runs.js';

const run = (bytesRead: number): RunRecord => ({
  runId: 4,
  pipeline: 'p',
  status: 'succeeded',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  streams: [{ runId: 4, stream: 'public.t', status: 'succeeded', attempts: 1, counts: { rowsRead: 10, rowsWritten: 10, bytesRead, bytesWritten: bytesRead } }],
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
    const line = formatRuns([{ ...r, streams: [{ ...(r.streams[0] as RunRecord['streams'][number]), counts }] }], () => []).split('\n')[1];
    expect(line).toBe('  public.t  succeeded  read 10  written 10  bytes 100 B  attempts 1  rolled back 700');
  });

  it('shows how often the stall watchdog restarted or failed a stream, only when it did', () => {
    const r = run(100);
    const counts = { ...(r.streams[0] as RunRecord['streams'][number]).counts, stalls: 1 };
    const line = formatRuns([{ ...r, streams: [{ ...(r.streams[0] as RunRecord['streams'][number]), attempts: 2, counts }] }], () => []).split('\n')[1];
    expect(line).toBe('  public.t  succeeded  read 10  written 10  bytes 100 B  attempts 2  stalls: 1');
  });

  it('says so when there are no runs', () => {
    expect(formatRuns([], () => [])).toBe('no runs recorded');
  });
});

import { describe, expect, it } from 'vitest';
import type { RunResult, StreamResult } from '../orchestrator/run-result.js';
import { displayWidth } from './display-width.js';
import { formatRunSummary } from './summary-table.js';
import { ERROR_CODES } from '@rapidbyte/sdk/contract';

const stream = (name: string, extra: Record<string, unknown> = {}): StreamResult =>
  ({
    stream: name,
    status: 'succeeded',
    rowsRead: 1000,
    rowsWritten: 1000,
    bytesRead: 2048,
    bytesWritten: 2048,
    startedAt: '',
    finishedAt: '',
    durationMs: 500,
    attempts: 1,
    ...extra,
  }) as StreamResult;
const run = (streams: StreamResult[]): RunResult => ({
  runId: 7,
  pipeline: 'p',
  status: 'succeeded',
  durationMs: 1234,
  streams,
});

describe('formatRunSummary', () => {
  it('plain: two-space columns, a row per stream, no optional columns when no stream has them', () => {
    const lines = formatRunSummary(run([stream('public.users'), stream('public.orders')])).split('\n');
    expect(lines[0]).toBe('run 7 of p: succeeded in 1.23 s');
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      'stream',
      'status',
      'rows read',
      'rows written',
      'bytes',
      'duration',
      'rows/s',
    ]);
    expect(lines[2]?.split(/\s{2,}/)).toEqual([
      'public.users',
      'succeeded',
      '1,000',
      '1,000',
      '2.0 KiB',
      '0.50 s',
      '2,000',
    ]);
  });

  it('shows skipped, dead-lettered, cursor, lsn, slot lag and schema changes when a stream has them', () => {
    const text = formatRunSummary(
      run([
        stream('a', {
          rowsSkipped: 2,
          rowsDeadLettered: 3,
          lsn: '0/16B3748',
          slotLagBytes: 2 * 1024 * 1024,
          schemaChanges: ['add x'],
          cursor: '2024-01-01',
        }),
        stream('b'),
      ]),
    );
    const lines = text.split('\n');
    expect(lines[1]?.split(/\s{2,}/).slice(7)).toEqual([
      'skipped',
      'dead-lettered',
      'cursor',
      'lsn',
      'slot lag',
      'schema changes',
    ]);
    expect(lines[2]?.split(/\s{2,}/).slice(7)).toEqual(['2', '3', '2024-01-01', '0/16B3748', '2.0 MiB', '1']);
    expect(lines[3]?.split(/\s{2,}/).slice(7)).toEqual(['-', '-', '-', '-', '-', '-']);
    expect(lines[4]).toBe('  a: schema change: add x');
  });

  it('shows the rows attempts rolled back in their own column, only when a stream has some', () => {
    const lines = formatRunSummary(
      run([stream('a', { rowsRolledBack: 1500 }), stream('b', { rowsRolledBack: 0 })]),
    ).split('\n');
    expect(lines[1]?.split(/\s{2,}/).slice(7)).toEqual(['rolled back']);
    expect(lines[2]?.split(/\s{2,}/).slice(7)).toEqual(['1,500']);
    expect(lines[3]?.split(/\s{2,}/).slice(7)).toEqual(['0']);
    expect(formatRunSummary(run([stream('c', { rowsRolledBack: 0 })])).split('\n')[1]).not.toContain('rolled back');
  });

  it("shows the stall watchdog's restarts in a stalls column, only when a stream stalled", () => {
    const lines = formatRunSummary(run([stream('a', { stalls: 1, attempts: 2 }), stream('b')])).split('\n');
    expect(lines[1]?.split(/\s{2,}/).slice(7)).toEqual(['stalls']);
    expect(lines[2]?.split(/\s{2,}/).slice(7)).toEqual(['1']);
    expect(lines[3]?.split(/\s{2,}/).slice(7)).toEqual(['0']);
    expect(formatRunSummary(run([stream('c')])).split('\n')[1]).not.toContain('stalls');
  });

  it('shows the shard count of a sharded stream', () => {
    const lines = formatRunSummary(run([stream('public.big', { shards: 4 }), stream('public.small')])).split('\n');
    expect(lines[1]?.split(/\s{2,}/).slice(7)).toEqual(['shards']);
    expect(lines[2]?.split(/\s{2,}/).slice(7)).toEqual(['4']);
    expect(lines[3]?.split(/\s{2,}/).slice(7)).toEqual(['-']);
  });

  it('boxed on a terminal, and each failed stream error below the table with its fix-it hint', () => {
    const failed = stream('bad', {
      status: 'failed',
      error: { kind: 'permanent', code: 'TABLE_NOT_FOUND', message: 'no such table', stage: 'source:source-postgres' },
    });
    const text = formatRunSummary(run([failed]), { boxed: true });
    expect(text).toMatch(/┌─+┬/);
    expect(text).toMatch(/│ bad\s+│ failed\s+│/);
    expect(text.split('\n').slice(-2)).toEqual([
      '  bad: source:source-postgres: permanent TABLE_NOT_FOUND: no such table',
      `    hint: ${ERROR_CODES.TABLE_NOT_FOUND.hint}`,
    ]);
  });

  it('aligns wide (CJK, emoji) stream names by display width, boxed and plain', () => {
    const streams = [stream('public.注文'), stream('public.🍣sushi'), stream('public.orders'), stream('public.ｶﾀｶﾅ')];
    const boxed = formatRunSummary(run(streams), { boxed: true }).split('\n').slice(1);
    expect(new Set(boxed.map(displayWidth)).size).toBe(1);
    const plain = formatRunSummary(run(streams)).split('\n').slice(1);
    // every row's second column (status) starts at the same display column
    const statusAt = plain.slice(1).map((l) => displayWidth(l.slice(0, l.indexOf('succeeded'))));
    expect(new Set(statusAt).size).toBe(1);
  });
});

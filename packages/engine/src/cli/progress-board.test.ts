import { describe, expect, it } from 'vitest';
import type { StreamResult } from '../orchestrator/run-result.js';
import { displayWidth } from './display-width.js';
import { createLogWriter, type LogRecord } from './log-writer.js';
import { plainProgressLine, ProgressBoard, renderProgressFrame } from './progress-board.js';
import { createPlainDisplay } from './progress-display.js';

const counters = (rows: number) => ({
  rowsRead: rows,
  rowsWritten: rows,
  bytesRead: rows * 10,
  bytesWritten: rows * 10,
});
const finished = (stream: string, rows: number): StreamResult =>
  ({
    stream,
    status: 'succeeded',
    ...counters(rows),
    startedAt: '',
    finishedAt: '',
    durationMs: 2000,
    attempts: 1,
  }) as StreamResult;

describe('ProgressBoard and its frame', () => {
  it('folds events into per-stream phase, counters and rate', () => {
    let t = 0;
    const board = new ProgressBoard(() => t);
    board.apply({ type: 'run-started', runId: 3, pipeline: 'p', streams: ['a', 'b'] });
    board.apply({ type: 'stream-started', stream: 'a', attempt: 1 });
    t = 1000;
    board.apply({ type: 'stream-progress', stream: 'a', counters: counters(5000) });
    const frame = renderProgressFrame(board, 0).split('\n');
    expect(frame[0]).toBe('run 3 of p: 0/2 streams done');
    expect(frame[1]).toMatch(/^⠋ a\s+copying\s+5,000 rows\s+48\.8 KiB\s+5,000 rows\/s\s+1\.0 s$/);
    expect(frame[2]).toMatch(/^· b\s+queued\s+0 rows/);
    board.apply({ type: 'stream-finished', result: finished('a', 6000) });
    board.apply({ type: 'stream-started', stream: 'b', attempt: 2 });
    const next = renderProgressFrame(board, 1).split('\n');
    expect(next[0]).toBe('run 3 of p: 1/2 streams done');
    expect(next[1]).toMatch(/^✔ a\s+succeeded\s+6,000 rows\s+58\.6 KiB\s+3,000 rows\/s\s+2\.0 s$/);
    expect(next[2]).toMatch(/^⠙ b\s+retrying \(attempt 2\)/);
    expect(plainProgressLine(board, board.get('b')!)).toBe('started (attempt 2)');
  });

  it('live rows count what the destination received, committed or not; wide stream names stay aligned', () => {
    const board = new ProgressBoard(() => 0);
    board.apply({ type: 'run-started', runId: 1, pipeline: 'p', streams: ['public.注文', 'public.orders'] });
    board.apply({ type: 'stream-started', stream: 'public.注文', attempt: 1 });
    board.apply({ type: 'stream-progress', stream: 'public.注文', counters: counters(1000), rowsUncommitted: 500 });
    expect(board.get('public.注文')?.rowsWritten).toBe(1500);
    const frame = renderProgressFrame(board, 0).split('\n').slice(1);
    const phaseAt = frame.map((l) => displayWidth(l.slice(0, l.search(/copying|queued/))));
    expect(phaseAt[0]).toBe(phaseAt[1]);
  });

  it('plain display: start and finish lines, progress lines at most every interval, JSON when asked', () => {
    let t = 0;
    const text: string[] = [];
    const writer = createLogWriter({
      level: 'info',
      format: 'text',
      redact: (s) => s.replace('secret', '***'),
      write: (l) => text.push(l),
    });
    const display = createPlainDisplay(writer, (l) => text.push(l), { intervalMs: 1000, now: () => t });
    display.handle({ type: 'run-started', runId: 1, pipeline: 'p', streams: ['secret.t'] });
    display.handle({ type: 'stream-started', stream: 'secret.t', attempt: 1 });
    t = 500;
    display.handle({ type: 'stream-progress', stream: 'secret.t', counters: counters(10) });
    t = 1500;
    display.handle({ type: 'stream-progress', stream: 'secret.t', counters: counters(20) });
    display.handle({ type: 'stream-finished', result: finished('secret.t', 30) });
    expect(text).toEqual([
      '***.t: started',
      '***.t: 20 rows written, 200 B read, 13 rows/s',
      '***.t: succeeded (30 rows)',
    ]);

    const json: LogRecord[] = [];
    const jsonWriter = createLogWriter({
      level: 'warn',
      format: 'json',
      redact: (s) => s,
      write: (l) => json.push(JSON.parse(l) as LogRecord),
    });
    jsonWriter.log({ level: 'info', message: 'dropped' });
    jsonWriter.log({ level: 'error', stream: 's', stage: 'engine', message: 'boom', fields: { code: 'X' } });
    expect(json).toEqual([
      expect.objectContaining({ level: 'error', stream: 's', stage: 'engine', message: 'boom', code: 'X' }),
    ]);
  });
});

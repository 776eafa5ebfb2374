import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Interrupts } from './interrupts.js';
import { Deadline, RunDeadlines, timeoutFailure } from './stream-deadline.js';

describe('RunDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a stream's limit counts from its start, stops only that stream and names the stream scope", () => {
    const deadlines = new RunDeadlines(new Interrupts(undefined), { streamMs: 1000 }, false);
    const a = deadlines.forStream({ syncMode: 'full_refresh' });
    const b = deadlines.forStream({ syncMode: 'incremental' });
    const stopped: string[] = [];
    a.interrupts.subscribe(() => stopped.push('a'));
    b.interrupts.subscribe(() => stopped.push('b'));
    a.start();
    vi.advanceTimersByTime(600);
    b.start();
    vi.advanceTimersByTime(400);
    expect(stopped).toEqual(['a']);
    expect(a.expired?.scope).toBe('stream');
    vi.advanceTimersByTime(600);
    expect(stopped).toEqual(['a', 'b']);
    deadlines.close();
  });

  it('the run limit stops every stream, started or not, CDC streams included; their stream limit never applies', () => {
    const deadlines = new RunDeadlines(new Interrupts(undefined), { streamMs: 100, runMs: 2000 }, false);
    const cdc = deadlines.forStream({ syncMode: 'cdc' });
    const waiting = deadlines.forStream({ syncMode: 'full_refresh' });
    cdc.start();
    vi.advanceTimersByTime(1999);
    expect(cdc.interrupts.aborted).toBe(false);
    expect(waiting.interrupts.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(cdc.expired?.scope).toBe('run');
    expect(waiting.expired?.scope).toBe('run');
    deadlines.close();
  });

  it('a signal first is an interrupt, not a timeout; a --follow run has no run limit', () => {
    const controller = new AbortController();
    const deadlines = new RunDeadlines(new Interrupts(controller.signal), { streamMs: 1000, runMs: 1000 }, true);
    const s = deadlines.forStream({ syncMode: 'full_refresh' });
    s.start();
    controller.abort();
    expect(s.interrupts.aborted).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(s.expired).toBeUndefined();
    expect(deadlines.run.limitMs).toBeUndefined();
    deadlines.close();
  });

  it('close() stops the clocks: a closed stream never expires', () => {
    const deadlines = new RunDeadlines(new Interrupts(undefined), { streamMs: 10 }, false);
    const s = deadlines.forStream({ syncMode: 'full_refresh' });
    s.start();
    deadlines.close();
    vi.advanceTimersByTime(100);
    expect(s.expired).toBeUndefined();
  });
});

describe('timeoutFailure', () => {
  it('is a permanent TIMEOUT naming the stream, the key and its limit, and what was kept', () => {
    const deadlines = new RunDeadlines(new Interrupts(undefined), { runMs: 7_200_000 }, false);
    expect(timeoutFailure('public.t', deadlines.run, true)).toEqual({
      kind: 'permanent',
      code: 'TIMEOUT',
      stage: 'host',
      message:
        'public.t: the run ran past resources.timeouts.run (2h): drained and stopped; what it committed is kept and the next run resumes from its checkpoint',
    });
    expect(timeoutFailure('public.u', new Deadline('stream', 90_000), false).message).toBe(
      'public.u: the stream ran past resources.timeouts.stream (90s): drained and stopped; it committed nothing in this run; the next run starts from its last checkpoint, if any',
    );
    expect(timeoutFailure('public.u', new Deadline('stream', 1500), true).message).toMatch(/\(1500ms\)/);
    deadlines.close();
  });
});

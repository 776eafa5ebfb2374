import { describe, expect, it } from 'vitest';
import { StepClock } from './step-clock.js';
import { linearMemoryBytes, stepGuard } from './step-guard.js';

describe('StepClock', () => {
  it('reports the first stage inside one step for longer than the timeout', () => {
    const clock = StepClock.create(3);
    expect(clock.overdue(1_000, 10_000)).toBeUndefined();
    clock.enter(0, 9_500);
    clock.enter(2, 8_000);
    expect(clock.overdue(1_000, 10_000)).toEqual({ slot: 2, elapsedMs: 2_000 });
    clock.leave(2);
    expect(clock.overdue(1_000, 10_000)).toBeUndefined();
    expect(clock.overdue(1_000, 11_000)).toEqual({ slot: 0, elapsedMs: 1_500 });
  });

  it('is shared through its buffer (the worker stamps, the main thread reads)', () => {
    const worker = StepClock.create(1);
    const main = new StepClock(worker.buffer);
    worker.enter(0, 1);
    expect(main.overdue(10, 100)?.slot).toBe(0);
  });
});

describe('stepGuard', () => {
  it('fails with CONNECTOR_MEMORY_EXCEEDED once the linear memories pass the ceiling', () => {
    const memory = new WebAssembly.Memory({ initial: 1 }); // 64 KiB pages
    const guard = stepGuard('source:probe', 0, StepClock.create(1), [memory], 2 * 65536);
    guard.started();
    guard.ended();
    memory.grow(2);
    expect(linearMemoryBytes([memory])).toBe(3 * 65536);
    guard.started();
    expect(() => guard.ended()).toThrow(expect.objectContaining({ code: 'CONNECTOR_MEMORY_EXCEEDED', kind: 'permanent', message: expect.stringContaining('resources.connector_memory') }));
  });

  it('clears its slot after a step, also one that fails', () => {
    const clock = StepClock.create(1);
    const guard = stepGuard('source:probe', 0, clock, [], undefined);
    guard.started();
    expect(clock.overdue(-1)).toBeDefined();
    guard.ended();
    expect(clock.overdue(-1)).toBeUndefined();
  });
});

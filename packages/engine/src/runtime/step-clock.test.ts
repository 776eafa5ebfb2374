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
    expect(() => guard.ended()).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_MEMORY_EXCEEDED',
        kind: 'permanent',
        message: expect.stringContaining('resources.connector_memory'),
      }),
    );
  });

  it('halfway from its start to the ceiling recycles the instance (transient CONNECTOR_MEMORY_RECYCLED), but only once the attempt committed', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    let committed = false;
    // the mark is halfway from the start (1 page) to the ceiling (5 pages): 3 pages
    const guard = stepGuard('destination:probe', 1, StepClock.create(2), [memory], 5 * 65536, () => committed);
    memory.grow(2); // 3 pages: at the mark, not past it
    committed = true;
    guard.started();
    expect(() => guard.ended()).not.toThrow();
    committed = false;
    memory.grow(1); // 4 of 5 pages: past the mark
    guard.started();
    expect(() => guard.ended()).not.toThrow(); // nothing committed yet: it may grow to the ceiling
    committed = true;
    guard.started();
    expect(() => guard.ended()).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_MEMORY_RECYCLED',
        kind: 'transient',
        message: expect.stringContaining('restarting its connectors from the last commit'),
      }),
    );
    memory.grow(2); // past the ceiling: the permanent failure wins
    guard.started();
    expect(() => guard.ended()).toThrow(expect.objectContaining({ code: 'CONNECTOR_MEMORY_EXCEEDED' }));
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

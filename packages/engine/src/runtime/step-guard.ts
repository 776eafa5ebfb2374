import type { StepClock } from './step-clock.js';

/** Stamps and checks each entry of a session into guest code (`open`, `run-step`). */
export interface StepGuard {
  started(): void;
  /** Called after every step, also one that threw; may throw to fail the session. */
  ended(): void;
}

/** A guest's linear memory grew past `resources.connector_memory`. */
function memoryExceeded(stage: string, bytes: number, limit: number): Error {
  return Object.assign(
    new Error(
      `${stage}: the connector's linear memory grew to ${mib(bytes)} MiB, past resources.connector_memory (${mib(limit)} MiB); raise connector_memory if it needs more, or fix the connector's allocation`,
    ),
    { kind: 'permanent', code: 'CONNECTOR_MEMORY_EXCEEDED' },
  );
}

/**
 * A guest's linear memory passed the recycle mark after the attempt committed: a transient error,
 * so the stream restarts its connectors from the last commit (with a fresh retry budget, as the
 * attempt made progress) and the new instances start small. WebAssembly memory never shrinks, and a
 * guest runtime that never frees some of its call buffers grows with every call of a long
 * `--follow`; without this it would end at CONNECTOR_MEMORY_EXCEEDED.
 */
function memoryRecycled(stage: string, bytes: number, mark: number, limit: number): Error {
  return Object.assign(
    new Error(
      `${stage}: the connector's linear memory grew to ${mib(bytes)} MiB, past ${mib(mark)} MiB (halfway from its start to resources.connector_memory, ${mib(limit)} MiB), ` +
        'after the stream committed: restarting its connectors from the last commit to release the memory',
    ),
    { kind: 'transient', code: 'CONNECTOR_MEMORY_RECYCLED' },
  );
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}

/** Bytes in a connector instance's linear memories. */
export function linearMemoryBytes(memories: readonly WebAssembly.Memory[]): number {
  return memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
}

/**
 * The guard of one stage: stamps `clock` slot `slot` around each step (the main thread terminates
 * the worker of a step that does not return in time) and, after it, checks the instance's linear
 * memories against `limitBytes` (memory only grows, so a step boundary is where growth shows).
 * Halfway from the instance's size at the start to the limit, once `committed()` says the attempt
 * has committed, the instance is recycled (a transient CONNECTOR_MEMORY_RECYCLED); before any
 * commit it may grow to the limit.
 */
export function stepGuard(
  stage: string,
  slot: number,
  clock: StepClock | undefined,
  memories: readonly WebAssembly.Memory[],
  limitBytes: number | undefined,
  committed: () => boolean = () => false,
): StepGuard {
  const initial = linearMemoryBytes(memories);
  return {
    started: () => clock?.enter(slot),
    ended: () => {
      clock?.leave(slot);
      if (limitBytes === undefined) return;
      const bytes = linearMemoryBytes(memories);
      if (bytes > limitBytes) throw memoryExceeded(stage, bytes, limitBytes);
      const mark = initial + (limitBytes - initial) / 2;
      if (bytes > mark && committed()) throw memoryRecycled(stage, bytes, mark, limitBytes);
    },
  };
}

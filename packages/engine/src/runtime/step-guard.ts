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
 */
export function stepGuard(stage: string, slot: number, clock: StepClock | undefined, memories: readonly WebAssembly.Memory[], limitBytes: number | undefined): StepGuard {
  return {
    started: () => clock?.enter(slot),
    ended: () => {
      clock?.leave(slot);
      if (limitBytes === undefined) return;
      const bytes = linearMemoryBytes(memories);
      if (bytes > limitBytes) throw memoryExceeded(stage, bytes, limitBytes);
    },
  };
}

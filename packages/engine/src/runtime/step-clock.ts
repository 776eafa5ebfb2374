/**
 * When each stage of a stream's chain entered its current `run-step`, shared between the stream
 * worker (which stamps it) and the main thread (which reads it). A guest stuck in a busy loop
 * blocks the worker's event loop, so only another thread can notice it and terminate the worker.
 * One slot per stage (source, transforms, destination), in chain order; 0 = not in a step.
 */
export class StepClock {
  readonly #slots: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.#slots = new BigInt64Array(buffer);
  }

  /** A clock for a chain of `stages` stages. */
  static create(stages: number): StepClock {
    return new StepClock(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * Math.max(1, stages)));
  }

  /** Stage `slot` entered guest code now. */
  enter(slot: number, now: number = Date.now()): void {
    if (slot < this.#slots.length) Atomics.store(this.#slots, slot, BigInt(now));
  }

  /** Stage `slot` returned from guest code. */
  leave(slot: number): void {
    if (slot < this.#slots.length) Atomics.store(this.#slots, slot, 0n);
  }

  /** The first stage that has been inside one step for longer than `timeoutMs`, with how long. */
  overdue(timeoutMs: number, now: number = Date.now()): { slot: number; elapsedMs: number } | undefined {
    for (let slot = 0; slot < this.#slots.length; slot++) {
      const since = Number(Atomics.load(this.#slots, slot));
      if (since > 0 && now - since > timeoutMs) return { slot, elapsedMs: now - since };
    }
    return undefined;
  }
}

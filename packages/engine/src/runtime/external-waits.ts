import type { Request, Response } from '@rapidbyte/sdk/contract';

/**
 * Requests that wait on a system outside the engine — the database (a query, a lock, a COPY's
 * next bytes, a snapshot waiting for open transactions) or a network peer. `next-frame` and
 * `pg-replication-next` wait on the engine itself (the previous stage, the replication hub), so
 * they are not: a stage waiting on them while nothing moves is what a stall looks like.
 */
export function waitsOnExternalSystem(request: Request): boolean {
  const tag = (request as { tag?: unknown } | null)?.tag;
  if (typeof tag !== 'string') return false;
  if (tag === 'pg-replication-next') return false;
  return tag.startsWith('pg-') || tag === 'http' || tag.startsWith('tcp-');
}

/**
 * What the stages of one stream's chain are waiting on outside the engine, shared between the
 * stream worker (which stamps it) and the main thread's stall watchdog (which reads it): per
 * stage, since when a request to an external system is in flight (0: none), and when its last
 * such request completed. A stage whose requests keep completing is working (a long list of
 * catalog queries reads no rows); a stage inside one is waiting on its database, not stalled.
 */
export class ExternalWaits {
  readonly #slots: BigInt64Array;
  readonly #stages: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.#slots = new BigInt64Array(buffer);
    this.#stages = this.#slots.length / 2;
  }

  static create(stages: number): ExternalWaits {
    return new ExternalWaits(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT * 2 * Math.max(1, stages)));
  }

  begin(stage: number, now: number = Date.now()): void {
    if (stage < this.#stages) Atomics.store(this.#slots, stage, BigInt(now));
  }

  end(stage: number, now: number = Date.now()): void {
    if (stage >= this.#stages) return;
    Atomics.store(this.#slots, stage, 0n);
    Atomics.store(this.#slots, this.#stages + stage, BigInt(now));
  }

  /** Since when the longest-waiting stage has had a request in flight (ms since the epoch), or undefined. */
  inFlightSince(): number | undefined {
    return this.#extreme(0, (a, b) => a < b);
  }

  /** When a stage last completed an external request (ms since the epoch), or undefined. */
  lastCompleted(): number | undefined {
    return this.#extreme(this.#stages, (a, b) => a > b);
  }

  #extreme(from: number, better: (a: number, b: number) => boolean): number | undefined {
    let found: number | undefined;
    for (let i = from; i < from + this.#stages; i++) {
      const at = Number(Atomics.load(this.#slots, i));
      if (at > 0 && (found === undefined || better(at, found))) found = at;
    }
    return found;
  }

  /** `dispatcher` with its external requests stamped as stage `stage`'s. */
  track<D extends { fulfil(request: Request): Promise<Response> }>(dispatcher: D, stage: number): Pick<D, 'fulfil'> {
    return {
      fulfil: async (request: Request): Promise<Response> => {
        if (!waitsOnExternalSystem(request)) return dispatcher.fulfil(request);
        this.begin(stage);
        try {
          return await dispatcher.fulfil(request);
        } finally {
          this.end(stage);
        }
      },
    };
  }
}

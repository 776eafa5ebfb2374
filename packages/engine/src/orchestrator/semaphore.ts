/**
 * Bounds how many stream chains run at once (`resources.parallelism`), in units: a chain takes
 * one or more, and may take more while it runs ({@link Semaphore.acquire} with `front`).
 */
export class Semaphore {
  #available: number;
  readonly #waiting: { readonly units: number; readonly grant: () => void }[] = [];

  constructor(permits: number) {
    this.#available = Math.max(1, permits);
  }

  /**
   * Waits for `units` (default 1) and returns their release. Waiters are served in order;
   * `front` puts this one before those already waiting (a running chain that needs more must
   * not wait behind chains that have not started).
   */
  async acquire(units = 1, options: { readonly front?: boolean } = {}): Promise<() => void> {
    if (this.#waiting.length === 0 && this.#available >= units) {
      this.#available -= units;
    } else {
      await new Promise<void>((grant) => {
        if (options.front) this.#waiting.unshift({ units, grant });
        else this.#waiting.push({ units, grant });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#available += units;
      this.#serve();
    };
  }

  #serve(): void {
    for (let next = this.#waiting[0]; next && this.#available >= next.units; next = this.#waiting[0]) {
      this.#waiting.shift();
      this.#available -= next.units;
      next.grant();
    }
  }
}

import type { RecordBatch } from 'apache-arrow';

/**
 * `run --dry-run --limit N`: lets at most `limit` rows of a stream's source through. The frame
 * that crosses the limit is sliced; once the limit is reached the source is stopped (by the
 * worker, at its next step) and further frames are dropped.
 */
export class RowLimit {
  readonly limit: number;
  #passed = 0;

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new RangeError(`row limit must be a non-negative integer, got ${limit}`);
    this.limit = limit;
  }

  /** Rows let through so far. */
  get passed(): number {
    return this.#passed;
  }

  /** Whether no further row may pass. */
  get reached(): boolean {
    return this.#passed >= this.limit;
  }

  /** The part of `batch` that may pass (the whole batch, a head slice, or undefined for none). */
  take(batch: RecordBatch): RecordBatch | undefined {
    const room = this.limit - this.#passed;
    if (room <= 0) return undefined;
    if (batch.numRows <= room) {
      this.#passed += batch.numRows;
      return batch;
    }
    this.#passed += room;
    return batch.slice(0, room);
  }
}

/** Thrown at the source's next step once its row limit is reached; the worker ends the stream normally. */
export class RowLimitReached extends Error {
  constructor(readonly limit: number) {
    super(`row limit ${limit} reached`);
    this.name = 'RowLimitReached';
  }
}

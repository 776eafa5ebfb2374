/** The guest's exported `cabi_realloc(ptr, oldSize, align, newSize) -> ptr`. */
export type GuestRealloc = (ptr: number, oldSize: number, align: number, newSize: number) => number;

/** Bytes the host placed in an instance's linear memory, counted as they are allocated and released. */
export interface GuestAllocations {
  /** Export arguments (`run-step`'s response, …). */
  arguments: number;
  /** Results of host imports the guest called (`frame-schema`, …). */
  importResults: number;
  /** Of both, the bytes the host has freed again once the guest had read them. */
  released: number;
}

interface Block {
  readonly ptr: number;
  readonly size: number;
  readonly align: number;
}

/**
 * What the host allocates in a guest's linear memory through its `cabi_realloc`: export arguments
 * (lowered before the export is entered) and import results (lowered while a host import returns).
 * The guest lifts both into its own values at once — arguments before any of its code runs,
 * import results before the import call returns into its code — so a block is dead once the
 * guest calls the next host import or the export returns. A guest runtime that never frees these
 * blocks itself (see `hostMayFreeAllocations`) would grow its linear memory by every string and
 * list the host passes it, without bound in a long `--follow`; with `release`, the ledger frees
 * them at those points (`cabi_realloc(ptr, size, align, 0)`).
 */
export class HostAllocationLedger {
  private outstanding: Block[] = [];
  private depth = 0;

  constructor(
    private readonly realloc: GuestRealloc,
    private readonly counts: GuestAllocations,
    private readonly release: boolean,
  ) {}

  /** The `cabi_realloc` the host's bindings call in place of the guest's. */
  readonly allocate = (ptr: number, oldSize: number, align: number, newSize: number): number => {
    if (this.depth > 0) this.counts.importResults += newSize - oldSize;
    else this.counts.arguments += newSize - oldSize;
    const result = this.realloc(ptr, oldSize, align, newSize);
    if (!this.release) return result;
    if (ptr !== 0) this.outstanding = this.outstanding.filter((b) => b.ptr !== ptr);
    // a zero-size request gets no block of its own (the canonical ABI never reads it)
    if (newSize > 0 && result !== 0) this.outstanding.push({ ptr: result, size: newSize, align });
    return result;
  };

  /** Wraps a guest export: import results are counted as such while it runs; its blocks are freed when it returns. */
  enterExport<T>(call: () => T): T {
    this.depth += 1;
    let result: T;
    try {
      result = call();
    } catch (error) {
      // a guest that trapped is not called again, not even to free
      this.depth -= 1;
      this.outstanding = [];
      throw error;
    }
    this.depth -= 1;
    if (this.depth === 0) this.releaseAll();
    return result;
  }

  /** A host import is entered: the guest has lifted everything passed to it before. */
  enterImport(): void {
    if (this.depth > 0) this.releaseAll();
  }

  /** Blocks allocated and not yet freed. */
  get outstandingBlocks(): number {
    return this.outstanding.length;
  }

  private releaseAll(): void {
    if (this.outstanding.length === 0) return;
    const blocks = this.outstanding;
    this.outstanding = [];
    for (const b of blocks) {
      this.realloc(b.ptr, b.size, b.align, 0);
      this.counts.released += b.size;
    }
  }
}

/** The guest's exported `cabi_realloc(ptr, oldSize, align, newSize) -> ptr`. */
export type GuestRealloc = (ptr: number, oldSize: number, align: number, newSize: number) => number;

/** Bytes the host placed in an instance's linear memory, counted as they are allocated and released. */
export interface GuestAllocations {
  /** Export arguments (`run-step`'s response, …). */
  arguments: number;
  /** Results of host imports the guest called (`frame-schema`, …). */
  importResults: number;
  /** Of the import results, the bytes the host has freed again once the guest had read them. */
  released: number;
}

interface Block {
  readonly ptr: number;
  readonly size: number;
  readonly align: number;
}

/**
 * What the host allocates in a guest's linear memory through its `cabi_realloc`: export arguments
 * (lowered before the export is entered) and import results (lowered while a host import returns
 * into the guest). Both are counted. The guest lifts an import's result into its own values
 * before the import call returns into its code, so the blocks of one import result are dead once
 * the guest calls the next host import or the export returns. A guest runtime that never frees
 * them (see `hostMayFreeAllocations`) grows its linear memory by every schema string and query
 * result it is given, without bound in a long `--follow`; with `release`, the ledger frees them
 * at those points (`cabi_realloc(ptr, size, align, 0)`). Export arguments are left alone: the
 * guest frees those itself.
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
    // export arguments are the guest's to free (freeing them here too trapped the guest)
    if (!this.release || this.depth === 0) return result;
    if (ptr !== 0) this.outstanding = this.outstanding.filter((b) => b.ptr !== ptr);
    // a zero-size request gets no block of its own (the canonical ABI never reads it)
    if (newSize > 0 && result !== 0) this.outstanding.push({ ptr: result, size: newSize, align });
    return result;
  };

  /** Wraps a guest export: what the host allocates while it runs is an import result, freed at the latest when it returns. */
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

  /** A host import is entered: the guest has lifted the results of the imports it called before. */
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

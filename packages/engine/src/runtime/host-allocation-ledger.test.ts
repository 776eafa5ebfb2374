import { describe, expect, it } from 'vitest';
import { HOST_FREEABLE_GUEST_RUNTIMES, hostMayFreeAllocations } from './guest-runtime.js';
import { HostAllocationLedger, type GuestAllocations } from './host-allocation-ledger.js';

/** A guest allocator that hands out increasing addresses and records every call. */
function fakeGuest() {
  const calls: [number, number, number, number][] = [];
  let next = 1024;
  const live = new Set<number>();
  const realloc = (ptr: number, oldSize: number, align: number, newSize: number): number => {
    calls.push([ptr, oldSize, align, newSize]);
    if (newSize === 0 && oldSize === 0) return 0;
    if (newSize === 0) {
      if (!live.delete(ptr)) throw new Error(`double free of ${ptr}`);
      return 0;
    }
    const p = next;
    next += newSize;
    live.add(p);
    if (ptr !== 0) live.delete(ptr);
    return p;
  };
  return { realloc, calls, live };
}

const counts = (): GuestAllocations => ({ arguments: 0, importResults: 0, released: 0 });

describe('HostAllocationLedger', () => {
  it("frees an import's result at the next host import and the last one when the export returns; arguments stay the guest's", () => {
    const guest = fakeGuest();
    const c = counts();
    const ledger = new HostAllocationLedger(guest.realloc, c, true);
    const arg = ledger.allocate(0, 0, 1, 10); // lowered before the export is entered
    let first = 0;
    ledger.enterExport(() => {
      ledger.enterImport();
      first = ledger.allocate(0, 0, 4, 100); // the import's result, read by the guest after it returns
      expect(guest.live.has(first)).toBe(true);
      ledger.enterImport(); // the guest has lifted it
      expect(guest.live.has(first)).toBe(false);
      ledger.allocate(0, 0, 1, 7);
      expect(ledger.outstandingBlocks).toBe(1);
    });
    expect([...guest.live]).toEqual([arg]);
    expect(c).toEqual({ arguments: 10, importResults: 107, released: 107 });
    expect(guest.calls.filter((call) => call[3] === 0)).toEqual([
      [first, 100, 4, 0],
      [first + 100, 7, 1, 0],
    ]);
  });

  it('gives zero-size requests no block and follows a block that is reallocated', () => {
    const guest = fakeGuest();
    const ledger = new HostAllocationLedger(guest.realloc, counts(), true);
    ledger.enterExport(() => {
      ledger.enterImport();
      expect(ledger.allocate(0, 0, 4, 0)).toBe(0);
      const p = ledger.allocate(0, 0, 1, 4);
      ledger.allocate(p, 4, 1, 8);
      expect(ledger.outstandingBlocks).toBe(1);
    });
    expect(guest.live.size).toBe(0);
  });

  it('only counts when the guest runtime is not known to leave the host its blocks', () => {
    const guest = fakeGuest();
    const c = counts();
    const ledger = new HostAllocationLedger(guest.realloc, c, false);
    ledger.allocate(0, 0, 1, 3);
    ledger.enterExport(() => {
      ledger.enterImport();
      ledger.allocate(0, 0, 1, 4);
    });
    expect(guest.live.size).toBe(2);
    expect(c).toEqual({ arguments: 3, importResults: 4, released: 0 });
  });

  it('does not call a guest that trapped, not even to free', () => {
    const guest = fakeGuest();
    const ledger = new HostAllocationLedger(guest.realloc, counts(), true);
    expect(() =>
      ledger.enterExport(() => {
        ledger.allocate(0, 0, 1, 3);
        throw new Error('unreachable');
      }),
    ).toThrow('unreachable');
    expect(guest.calls).toHaveLength(1);
    expect(ledger.outstandingBlocks).toBe(0);
  });
});

describe('hostMayFreeAllocations', () => {
  it('is true only for a guest runtime known to leave the host its blocks', () => {
    expect(hostMayFreeAllocations(HOST_FREEABLE_GUEST_RUNTIMES[0])).toBe(true);
    expect(hostMayFreeAllocations('componentize-js@0.19.3')).toBe(false);
    expect(hostMayFreeAllocations(undefined)).toBe(false);
  });
});

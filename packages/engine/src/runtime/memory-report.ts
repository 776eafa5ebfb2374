import { getHeapStatistics } from 'node:v8';
import type { GuestAllocations } from './connector-instance.js';
import { linearMemoryBytes } from './step-guard.js';

/** How often a thread reports its memory (debug log lines named `memory`). */
export const MEMORY_REPORT_MS = 30_000;

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/**
 * One `memory` debug line for the calling thread: its V8 heap (used/total; each worker is its own
 * isolate), the off-heap memory it holds (external, of which array buffers: Arrow buffers, COPY
 * bytes), the process RSS (shared by every thread) and, for a stream worker, each stage's guest
 * linear memory (it only grows) with the bytes the host has placed in it so far (see
 * `instantiateConnector`), and the frames its handle table holds. A soak compares these per
 * thread over time to tell a leak from a warm-up.
 */
export function memoryReport(
  guests: ReadonlyMap<
    string,
    { readonly memories: readonly WebAssembly.Memory[]; readonly allocations: GuestAllocations }
  > = new Map(),
  frames?: number,
): string {
  const usage = process.memoryUsage();
  const heap = getHeapStatistics();
  const parts = [
    `memory: heap ${mib(heap.used_heap_size)}/${mib(heap.total_heap_size)} MiB`,
    `external ${mib(usage.external)} MiB (array buffers ${mib(usage.arrayBuffers)})`,
    `rss ${mib(usage.rss)} MiB`,
  ];
  for (const [stage, g] of guests)
    parts.push(
      `${stage} linear ${mib(linearMemoryBytes(g.memories))} MiB (host-allocated ${mib(g.allocations.arguments + g.allocations.importResults)}: arguments ${mib(g.allocations.arguments)}, import results ${mib(g.allocations.importResults)})`,
    );
  if (frames !== undefined) parts.push(`frames ${frames}`);
  return parts.join(', ');
}

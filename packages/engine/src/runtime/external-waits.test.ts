import { describe, expect, it } from 'vitest';
import type { Request } from '@rapidbyte/sdk/contract';
import { ExternalWaits, waitsOnExternalSystem } from './external-waits.js';

describe('ExternalWaits', () => {
  it('database and network requests are external waits; the previous stage and the replication hub are not', () => {
    expect(waitsOnExternalSystem({ tag: 'pg-query' } as Request)).toBe(true);
    expect(waitsOnExternalSystem({ tag: 'pg-copy-out-next' } as Request)).toBe(true);
    expect(waitsOnExternalSystem({ tag: 'tcp-read' } as Request)).toBe(true);
    expect(waitsOnExternalSystem({ tag: 'next-frame' } as Request)).toBe(false);
    expect(waitsOnExternalSystem({ tag: 'pg-replication-next' } as Request)).toBe(false);
    expect(waitsOnExternalSystem({ tag: 'sleep-ms' } as Request)).toBe(false);
  });

  it('reports the oldest request in flight and the last one completed, across threads through its buffer', () => {
    const worker = ExternalWaits.create(3);
    const main = new ExternalWaits(worker.buffer);
    expect(main.inFlightSince()).toBeUndefined();
    expect(main.lastCompleted()).toBeUndefined();
    worker.begin(2, 1_000);
    worker.begin(0, 2_000);
    expect(main.inFlightSince()).toBe(1_000);
    worker.end(2, 5_000);
    expect(main.inFlightSince()).toBe(2_000);
    expect(main.lastCompleted()).toBe(5_000);
    worker.end(0, 4_000);
    expect(main.inFlightSince()).toBeUndefined();
    expect(main.lastCompleted()).toBe(5_000);
  });
});

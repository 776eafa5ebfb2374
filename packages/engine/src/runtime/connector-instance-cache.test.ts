import { describe, expect, it } from 'vitest';
import {
  ConnectorInstanceCache,
  REUSE_GROWTH_BYTES,
  type InstanceKey,
  type ReusableConnector,
} from './connector-instance-cache.js';
import type { CapabilityPolicy } from './capability-policy.js';

const PAGE = 64 * 1024;

function key(configJson: string, policy: object = { hosts: ['127.0.0.1'] }): InstanceKey {
  return {
    role: 'source',
    component: { connector: 'fake', bindingsUrl: 'file:///nonexistent/connector.js', modules: {} },
    configJson,
    policy: policy as unknown as CapabilityPolicy,
  };
}

function fakeInstance(pages: number): ReusableConnector & { bound: unknown[]; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages + 1024 });
  const bound: unknown[] = [];
  return {
    exports: {} as ReusableConnector['exports'],
    memories: [memory],
    allocations: { arguments: 0, importResults: 0 },
    initialBytes: pages * PAGE,
    bind: (binding) => void bound.push(binding),
    bound,
    memory,
  };
}

describe('ConnectorInstanceCache', () => {
  it('hands an instance back only for the same config and permissions, unbound', async () => {
    const cache = new ConnectorInstanceCache();
    const instance = fakeInstance(1);
    cache.give(key('{"url":"a"}'), instance);
    expect(instance.bound).toEqual([undefined]);
    // another config or other permissions would instantiate (here: fails, the bindings do not exist)
    await expect(cache.take(key('{"url":"b"}'))).rejects.toThrow();
    await expect(cache.take(key('{"url":"a"}', { hosts: ['10.0.0.1'] }))).rejects.toThrow();
    expect(await cache.take(key('{"url":"a"}'))).toBe(instance);
    await expect(cache.take(key('{"url":"a"}'))).rejects.toThrow();
  });

  it('drops an instance whose memory grew past the reuse margin, and keeps at most two idle per key', async () => {
    const cache = new ConnectorInstanceCache();
    const grown = fakeInstance(1);
    grown.memory.grow(REUSE_GROWTH_BYTES / PAGE + 1);
    cache.give(key('{}'), grown);
    await expect(cache.take(key('{}'))).rejects.toThrow();
    const [a, b, c] = [fakeInstance(1), fakeInstance(1), fakeInstance(1)];
    for (const i of [a, b, c]) cache.give(key('{}'), i);
    const taken = [await cache.take(key('{}')), await cache.take(key('{}'))];
    // the third was not kept: the two kept come back, last given first
    expect(taken[0]).toBe(b);
    expect(taken[1]).toBe(a);
    await expect(cache.take(key('{}'))).rejects.toThrow();
  });
});

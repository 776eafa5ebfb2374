import { describe, expect, it } from 'vitest';
import {
  bindFor,
  ConnectorInstanceCache,
  REUSE_GROWTH_BYTES,
  type InstanceKey,
  type ReusableConnector,
} from './connector-instance-cache.js';
import type { CapabilityPolicy } from './capability-policy.js';
import type { FrameTable } from './frame-table.js';
import type { InstanceHooks } from './host-imports.js';

const PAGE = 64 * 1024;

function key(
  configJson: string,
  policy: object = { hosts: ['127.0.0.1'] },
  bindingsUrl = 'file:///x/connector.js',
): InstanceKey {
  return {
    role: 'source',
    component: { connector: 'fake', bindingsUrl, modules: {} },
    configJson,
    policy: policy as unknown as CapabilityPolicy,
  };
}

/** A cache whose instances are fakes (no component is instantiated). */
function fakeCache(): { cache: ConnectorInstanceCache; made: ReturnType<typeof fake>[] } {
  const made: ReturnType<typeof fake>[] = [];
  const cache = new ConnectorInstanceCache((component) => {
    const f = fake(component.bindingsUrl);
    made.push(f);
    return Promise.resolve(f);
  });
  return { cache, made };
}

function fake(name: string): ReusableConnector & { bound: unknown[]; memory: WebAssembly.Memory; name: string } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024 });
  const bound: unknown[] = [];
  const instance = {
    name,
    exports: {
      spec: () => '',
      open: () => 1,
      runStep: () => ({ tag: 'done', val: 'null' }),
      close: () => undefined,
    } as unknown as ReusableConnector['exports'],
    memories: [memory],
    allocations: { arguments: 0, importResults: 0 },
    initialBytes: PAGE,
    bind: (binding: unknown) => void bound.push(binding),
    bound,
    memory,
  };
  return instance;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('ConnectorInstanceCache', () => {
  it('shares one instance per config and permissions, at once and one stream after another', async () => {
    const { cache, made } = fakeCache();
    const a = await cache.take(key('{"url":"a"}'));
    const b = await cache.take(key('{"url":"a"}'));
    expect(b).toBe(a);
    // another config or other permissions get their own
    expect(await cache.take(key('{"url":"b"}'))).not.toBe(a);
    expect(await cache.take(key('{"url":"a"}', { hosts: ['10.0.0.1'] }))).not.toBe(a);
    cache.give(key('{"url":"a"}'), a, false);
    cache.give(key('{"url":"a"}'), b, false);
    await tick();
    expect(await cache.take(key('{"url":"a"}'))).toBe(a);
    expect(made).toHaveLength(3);
  });

  it('hands an instance to no further stream after a stream on it failed, nor once it grew', async () => {
    const { cache } = fakeCache();
    const first = await cache.take(key('{}'));
    const sharing = await cache.take(key('{}'));
    cache.give(key('{}'), first, true);
    await tick();
    const next = await cache.take(key('{}'));
    expect(next).not.toBe(first);
    cache.give(key('{}'), sharing, false); // the stream still on the failed one finishes on it
    cache.give(key('{}'), next, false);
    await tick();
    expect(await cache.take(key('{}'))).toBe(next);
    (next as ReturnType<typeof fake>).memory.grow(REUSE_GROWTH_BYTES / PAGE + 1);
    cache.give(key('{}'), next, false);
    await tick();
    expect(await cache.take(key('{}'))).not.toBe(next);
  });

  it('binds every call to the calling stream', () => {
    const instance = fake('x');
    const one = { frames: {} as FrameTable, hooks: {} as InstanceHooks };
    const two = { frames: {} as FrameTable, hooks: {} as InstanceHooks };
    const a = bindFor(instance, one);
    const b = bindFor(instance, two);
    a.open('read', '{}', '{}');
    b.runStep(1, { tag: 'none' });
    a.close(1);
    expect(instance.bound).toEqual([one, two, one]);
  });
});

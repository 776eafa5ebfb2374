import type { ComponentModules } from './component-modules.js';
import { instantiateConnector, type ConnectorExports, type GuestAllocations } from './connector-instance.js';
import type { FrameTable } from './frame-table.js';
import type { InstanceHooks } from './host-imports.js';
import type { CapabilityPolicy } from './capability-policy.js';
import { linearMemoryBytes } from './step-guard.js';

/** A connector instance whose host imports can be pointed at one stream after another. */
export interface ReusableConnector {
  readonly exports: ConnectorExports;
  readonly memories: WebAssembly.Memory[];
  readonly allocations: GuestAllocations;
  /** Its linear memories' size when it was created (bytes). */
  readonly initialBytes: number;
  /** Points the host imports at a stream's frames and hooks; `undefined` unbinds (a call then fails). */
  bind(binding: { readonly frames: FrameTable; readonly hooks: InstanceHooks } | undefined): void;
}

/** What an instance is reused for: the same component in the same role with the same config and permissions. */
export interface InstanceKey {
  readonly role: string;
  readonly component: ComponentModules;
  readonly configJson: string;
  readonly policy: CapabilityPolicy;
}

/** Growth of an instance's linear memories past its start beyond which it is not reused (its memory never shrinks). */
export const REUSE_GROWTH_BYTES = 16 * 1024 * 1024;

/** Idle instances kept per key (a worker running several streams at once uses more, and drops the rest). */
const IDLE_PER_KEY = 2;

/**
 * A worker's idle connector instances, handed to the next stream with the same component, role,
 * config and permissions: instantiating one costs more than a small table's whole load. Between
 * streams an instance holds nothing of the last one: the SDK ends every session at `close` (its
 * only state), the host imports are rebound to the new stream's frames and hooks, and the config
 * and permissions are the same by the key. An instance is kept only after a stream that
 * succeeded, and only while its memory is within {@link REUSE_GROWTH_BYTES} of its start.
 */
export class ConnectorInstanceCache {
  readonly #idle = new Map<string, ReusableConnector[]>();

  /** An idle instance for `key`, or a new one. */
  async take(key: InstanceKey): Promise<ReusableConnector> {
    const idle = this.#idle.get(keyOf(key))?.pop();
    return idle ?? instantiateReusable(key.component);
  }

  /** Keeps `instance` for the next stream with `key` (unbound), unless it grew or enough are kept. */
  give(key: InstanceKey, instance: ReusableConnector): void {
    instance.bind(undefined);
    if (linearMemoryBytes(instance.memories) > instance.initialBytes + REUSE_GROWTH_BYTES) return;
    const k = keyOf(key);
    const idle = this.#idle.get(k) ?? [];
    if (idle.length >= IDLE_PER_KEY) return;
    idle.push(instance);
    this.#idle.set(k, idle);
  }
}

function keyOf(key: InstanceKey): string {
  return JSON.stringify([key.role, key.component.connector, key.component.bindingsUrl, key.configJson, key.policy]);
}

/** A proxy whose every property is read from `target()` at call time (methods bound to it). */
function forwarder<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get: (_t, property) => {
      const t = target();
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

async function instantiateReusable(component: ComponentModules): Promise<ReusableConnector> {
  let current: { readonly frames: FrameTable; readonly hooks: InstanceHooks } | undefined;
  const bound = (): { readonly frames: FrameTable; readonly hooks: InstanceHooks } => {
    if (!current)
      throw Object.assign(new Error(`${component.connector}: instance called between streams`), {
        kind: 'permanent',
        code: 'INTERNAL',
      });
    return current;
  };
  const memories: WebAssembly.Memory[] = [];
  const allocations: GuestAllocations = { arguments: 0, importResults: 0 };
  const exports = await instantiateConnector(
    component,
    forwarder(() => bound().frames),
    forwarder(() => bound().hooks),
    memories,
    allocations,
  );
  return {
    exports,
    memories,
    allocations,
    initialBytes: linearMemoryBytes(memories),
    bind: (binding) => {
      current = binding;
    },
  };
}

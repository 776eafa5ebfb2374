import type { ComponentModules } from './component-modules.js';
import { instantiateConnector, type ConnectorExports, type GuestAllocations } from './connector-instance.js';
import type { FrameTable } from './frame-table.js';
import type { InstanceHooks } from './host-imports.js';
import type { CapabilityPolicy } from './capability-policy.js';
import { linearMemoryBytes } from './step-guard.js';

/** What a stream's calls into an instance are bound to: its frames and hooks. */
export interface InstanceBinding {
  readonly frames: FrameTable;
  readonly hooks: InstanceHooks;
}

/** A connector instance whose host imports are pointed at the stream whose call is running. */
export interface ReusableConnector {
  readonly exports: ConnectorExports;
  readonly memories: WebAssembly.Memory[];
  readonly allocations: GuestAllocations;
  /** Its linear memories' size when it was created (bytes). */
  readonly initialBytes: number;
  /** Points the host imports at a stream's frames and hooks; `undefined` unbinds (a call then fails). */
  bind(binding: InstanceBinding | undefined): void;
}

/** What an instance is shared for: the same component in the same role with the same config and permissions. */
export interface InstanceKey {
  readonly role: string;
  readonly component: ComponentModules;
  readonly configJson: string;
  readonly policy: CapabilityPolicy;
}

/** Growth of an instance's linear memories past its start beyond which it is not handed out again (memory never shrinks). */
export const REUSE_GROWTH_BYTES = 16 * 1024 * 1024;

interface Entry {
  readonly instance: Promise<ReusableConnector>;
  users: number;
}

/**
 * A worker's connector instances, one per component, role, config and permissions, shared by the
 * streams the worker runs — one after the other and at once (CDC streams, light streams):
 * instantiating costs more than a small table's whole load, and each instance holds megabytes.
 * A stream holds nothing in an instance beyond its session: the SDK keeps one generator per
 * session (opened per stream, ended at `close`) and no other state; the config and permissions
 * are the same by the key; and {@link bindFor} points the host imports at the calling stream's
 * frames and hooks on every call (calls into a guest never interleave: they are synchronous).
 * After a stream failed, its instance is handed to no further stream (those using it finish on
 * it); an instance that grew more than {@link REUSE_GROWTH_BYTES} past its start is dropped once
 * its last user is done.
 */
export class ConnectorInstanceCache {
  readonly #entries = new Map<string, Entry>();

  /** `instantiate`: how an instance is made (tests give fakes). */
  constructor(
    readonly instantiate: (component: ComponentModules) => Promise<ReusableConnector> = instantiateReusable,
  ) {}

  /** The instance for `key` (shared), created when there is none. */
  async take(key: InstanceKey): Promise<ReusableConnector> {
    const k = keyOf(key);
    let entry = this.#entries.get(k);
    if (!entry) {
      entry = { instance: this.instantiate(key.component), users: 0 };
      this.#entries.set(k, entry);
      // a failed instantiation is not kept: the next stream tries again
      entry.instance.catch(() => {
        if (this.#entries.get(k) === entry) this.#entries.delete(k);
      });
    }
    entry.users += 1;
    try {
      return await entry.instance;
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
  }

  /** A stream is done with `instance`; `failed`: no further stream gets it. */
  give(key: InstanceKey, instance: ReusableConnector, failed: boolean): void {
    const k = keyOf(key);
    const entry = this.#entries.get(k);
    if (!entry) return;
    void entry.instance.then((current) => {
      if (current !== instance) return;
      entry.users -= 1;
      const grown = linearMemoryBytes(instance.memories) > instance.initialBytes + REUSE_GROWTH_BYTES;
      if (failed || (grown && entry.users === 0)) {
        if (this.#entries.get(k) === entry) this.#entries.delete(k);
      }
      if (entry.users === 0) instance.bind(undefined);
    });
  }
}

/**
 * The instance's exports as one stream calls them: every call first binds the host imports to
 * that stream's frames and hooks.
 */
export function bindFor(instance: ReusableConnector, binding: InstanceBinding): ConnectorExports {
  const { exports } = instance;
  return {
    spec: () => {
      instance.bind(binding);
      return exports.spec();
    },
    open: (op, configJson, contextJson) => {
      instance.bind(binding);
      return exports.open(op, configJson, contextJson);
    },
    runStep: (session, input) => {
      instance.bind(binding);
      return exports.runStep(session, input);
    },
    close: (session) => {
      instance.bind(binding);
      exports.close(session);
    },
  };
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
  let current: InstanceBinding | undefined;
  const bound = (): InstanceBinding => {
    if (!current)
      throw Object.assign(new Error(`${component.connector}: instance called outside a stream`), {
        kind: 'permanent',
        code: 'CONNECTOR_INSTANCE_UNBOUND',
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

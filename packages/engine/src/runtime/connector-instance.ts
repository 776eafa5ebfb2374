import type { Operation, Response, StepResult } from '@rapidbyte/sdk/contract';
import type { ComponentModules } from './component-modules.js';
import { createHostImports, deniedWasiImports, type InstanceHooks } from './host-imports.js';
import type { FrameTable } from './frame-table.js';
import { HostAllocationLedger, type GuestAllocations, type GuestRealloc } from './host-allocation-ledger.js';
import { hostMayFreeAllocations } from './guest-runtime.js';

export type { GuestAllocations } from './host-allocation-ledger.js';

/** The WIT `connector` export as jco lifts it. */
export interface ConnectorExports {
  spec(): string;
  open(op: Operation, configJson: string, contextJson: string): number;
  runStep(session: number, input: Response): StepResult;
  close(session: number): void;
}

type InstantiateCore = (module: WebAssembly.Module, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>;

type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
  instantiateCore?: InstantiateCore,
) => Promise<Record<string, unknown>>;

/**
 * Instantiates a connector component from pre-compiled core modules. The guest gets the host
 * imports and nothing else: no filesystem, clocks, random or sockets of its own. The linear
 * memories its core instances export are pushed to `memories` (the component model keeps them
 * private; the engine measures them against `resources.connector_memory`). Every `cabi_realloc`
 * the bindings make on the host's behalf goes through a `HostAllocationLedger`: counted in
 * `allocations` and, for a guest runtime that never frees them itself, freed once the guest has
 * read them (otherwise a long-lived instance's linear memory grows by everything it is passed).
 */
export async function instantiateConnector(
  component: ComponentModules,
  frames: FrameTable,
  hooks: InstanceHooks,
  memories: WebAssembly.Memory[] = [],
  allocations: GuestAllocations = { arguments: 0, importResults: 0, released: 0 },
): Promise<ConnectorExports> {
  const bindings = (await import(component.bindingsUrl)) as { instantiate: Instantiate };
  const ledgers: HostAllocationLedger[] = [];
  // every host import the guest calls is a point where it has lifted what it was passed before
  const host = Object.fromEntries(
    Object.entries(createHostImports(frames, hooks)).map(([name, fn]) => [
      name,
      typeof fn === 'function'
        ? (...args: unknown[]): unknown => {
            for (const ledger of ledgers) ledger.enterImport();
            return (fn as (...a: unknown[]) => unknown)(...args);
          }
        : fn,
    ]),
  );
  const denied = deniedWasiImports() as Record<string, unknown>;
  const imports = new Proxy({} as Record<string, unknown>, {
    get: (_t, key: string) => (key.startsWith('rapidbyte:connector/host') ? host : denied[key]),
  });
  const instance = await bindings.instantiate((name) => {
    const module = component.modules[name];
    if (!module) throw new Error(`${component.connector}: missing core module ${name}`);
    return module;
  }, imports, async (module, coreImports) => {
    const core = await WebAssembly.instantiate(module, coreImports);
    for (const value of Object.values(core.exports)) if (value instanceof WebAssembly.Memory) memories.push(value);
    const realloc = core.exports.cabi_realloc;
    if (typeof realloc !== 'function') return core;
    const ledger = new HostAllocationLedger(realloc as GuestRealloc, allocations, hostMayFreeAllocations(component.guestRuntime));
    ledgers.push(ledger);
    const exports: Record<string, WebAssembly.ExportValue> = { ...core.exports, cabi_realloc: ledger.allocate };
    for (const [name, value] of Object.entries(core.exports)) {
      if (typeof value !== 'function' || !name.startsWith('rapidbyte:')) continue;
      exports[name] = (...args: unknown[]): unknown => ledger.enterExport(() => (value as (...a: unknown[]) => unknown)(...args));
    }
    return { exports } as unknown as WebAssembly.Instance;
  });
  const exports = (instance.connector ?? instance['rapidbyte:connector/connector@0.1.0']) as ConnectorExports | undefined;
  if (!exports) throw new Error(`${component.connector}: component does not export rapidbyte:connector/connector`);
  return exports;
}

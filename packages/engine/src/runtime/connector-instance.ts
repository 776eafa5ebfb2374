import type { Operation, Response, StepResult } from '@rapidbyte/sdk/contract';
import type { ComponentModules } from './component-modules.js';
import { createHostImports, deniedWasiImports, type InstanceHooks } from './host-imports.js';
import type { FrameTable } from './frame-table.js';

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

/** Bytes the host placed in an instance's linear memory (arguments, import results), counted as they are allocated. */
export interface GuestAllocations {
  /** Export arguments (`run-step`'s response, …). */
  arguments: number;
  /** Results of host imports the guest called (`frame-schema`, …). */
  importResults: number;
}

/**
 * Instantiates a connector component from pre-compiled core modules. The guest gets the host
 * imports and nothing else: no filesystem, clocks, random or sockets of its own. The linear
 * memories its core instances export are pushed to `memories` (the component model keeps them
 * private; the engine measures them against `resources.connector_memory`). With `allocations`,
 * every `cabi_realloc` the bindings make on the host's behalf is counted: the JS guest runtime
 * never frees what the host passes into an export call, so this is what a long-lived instance's
 * linear memory grows by.
 */
export async function instantiateConnector(
  component: ComponentModules,
  frames: FrameTable,
  hooks: InstanceHooks,
  memories: WebAssembly.Memory[] = [],
  allocations?: GuestAllocations,
): Promise<ConnectorExports> {
  const bindings = (await import(component.bindingsUrl)) as { instantiate: Instantiate };
  const host = createHostImports(frames, hooks);
  const denied = deniedWasiImports() as Record<string, unknown>;
  const imports = new Proxy({} as Record<string, unknown>, {
    get: (_t, key: string) => (key.startsWith('rapidbyte:connector/host') ? host : denied[key]),
  });
  const instance = await withCheapJspiProbe(() =>
    bindings.instantiate(
      (name) => {
        const module = component.modules[name];
        if (!module) throw new Error(`${component.connector}: missing core module ${name}`);
        return module;
      },
      imports,
      async (module, coreImports) => {
        const core = await WebAssembly.instantiate(module, coreImports);
        for (const value of Object.values(core.exports)) if (value instanceof WebAssembly.Memory) memories.push(value);
        const realloc = core.exports.cabi_realloc;
        if (!allocations || typeof realloc !== 'function') return core;
        // inside a guest export (`run-step`, …) the host allocates import results; outside, arguments
        let depth = 0;
        const counted = (ptr: number, oldSize: number, align: number, newSize: number): number => {
          if (depth > 0) allocations.importResults += newSize - oldSize;
          else allocations.arguments += newSize - oldSize;
          return (realloc as (...args: number[]) => number)(ptr, oldSize, align, newSize);
        };
        const exports: Record<string, WebAssembly.ExportValue> = { ...core.exports, cabi_realloc: counted };
        for (const [name, value] of Object.entries(core.exports)) {
          if (typeof value !== 'function' || !name.startsWith('rapidbyte:')) continue;
          exports[name] = (...args: unknown[]): unknown => {
            depth += 1;
            try {
              return (value as (...a: unknown[]) => unknown)(...args);
            } finally {
              depth -= 1;
            }
          };
        }
        return { exports } as unknown as WebAssembly.Instance;
      },
    ),
  );
  const exports = (instance.connector ?? instance['rapidbyte:connector/connector@0.1.0']) as
    ConnectorExports | undefined;
  if (!exports) throw new Error(`${component.connector}: component does not export rapidbyte:connector/connector`);
  return exports;
}

/** The error a probe for JSPI gets while {@link withCheapJspiProbe} runs. */
const NO_JSPI = new TypeError('WebAssembly.promising is not available (no JSPI on this Node)');

/** Instantiations under way that have `WebAssembly.promising` stubbed (several may overlap in one worker). */
let stubbed = 0;

/**
 * Runs a component instantiation with a cheap answer to the bindings' JSPI probe. jco's bindings
 * try `WebAssembly.promising(export)` five times per instance and fall back in `catch`; Node 20
 * has no JSPI, and V8 builds each "is not a function" TypeError's message by re-parsing the
 * enclosing function — the bindings' whole instantiate function, ~17k lines — which made a
 * connector instance cost ~45 ms instead of ~5 ms (measured, 2 cores). While the stub is in place
 * the probe throws a prepared error, so the bindings take the same fallback without the parse.
 * Where JSPI exists, nothing is stubbed.
 */
async function withCheapJspiProbe<T>(instantiate: () => Promise<T>): Promise<T> {
  const wasm = WebAssembly as unknown as { promising?: unknown };
  if (stubbed === 0 && typeof wasm.promising === 'function') return instantiate();
  stubbed += 1;
  if (stubbed === 1)
    wasm.promising = (): never => {
      throw NO_JSPI;
    };
  try {
    return await instantiate();
  } finally {
    stubbed -= 1;
    if (stubbed === 0) delete wasm.promising;
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A connector's compiled core modules plus the URL of its jco bindings. Compiled once per
 * process (compiling per worker halved throughput on 2 cores) and handed to worker threads:
 * `WebAssembly.Module` is structured-cloneable.
 */
export interface ComponentModules {
  readonly connector: string;
  readonly bindingsUrl: string;
  readonly modules: Readonly<Record<string, WebAssembly.Module>>;
  /** The guest runtime that built it (`componentize-js@0.23.0`), from `build/build-info.json`; unknown for older builds. */
  readonly guestRuntime?: string;
}

/** Compiles every `*.wasm` core module of a transpiled connector (its `build/bindings`). */
export async function compileComponentModules(connector: string, bindingsDir: string): Promise<ComponentModules> {
  const names = (await readdir(bindingsDir)).filter((n) => n.endsWith('.wasm'));
  const modules: Record<string, WebAssembly.Module> = {};
  await Promise.all(
    names.map(async (name) => {
      modules[name] = await WebAssembly.compile(await readFile(join(bindingsDir, name)));
    }),
  );
  return { connector, bindingsUrl: pathToFileURL(join(bindingsDir, 'connector.js')).href, modules, guestRuntime: await guestRuntimeOf(bindingsDir) };
}

/** `guestRuntime` of the build next to the bindings, if it recorded one. */
async function guestRuntimeOf(bindingsDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(join(dirname(bindingsDir), 'build-info.json'), 'utf8')) as { guestRuntime?: unknown };
    return typeof info.guestRuntime === 'string' ? info.guestRuntime : undefined;
  } catch {
    return undefined;
  }
}

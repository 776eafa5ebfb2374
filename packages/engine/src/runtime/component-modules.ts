import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  return { connector, bindingsUrl: pathToFileURL(join(bindingsDir, 'connector.js')).href, modules };
}

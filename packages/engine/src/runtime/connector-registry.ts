import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConnectorManifest, type ConnectorManifest } from '@rapidbyte/sdk/contract';

/** A connector found on disk. */
export interface ResolvedConnector {
  readonly use: string;
  readonly dir: string;
  readonly manifest: ConnectorManifest;
  readonly configSchema: object;
  /** jco bindings of the built component (`build/bindings`). */
  readonly bindingsDir: string;
  readonly built: boolean;
}

/** The repository's own `connectors/` folder (built-in connectors). */
const BUILTIN_CONNECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../connectors');

/**
 * Finds connectors named in `use:`: a path (`./my-connector`, relative to the pipeline file), or a
 * name looked up in `connectorsPath` (the CLI's `$RAPIDBYTE_CONNECTORS_PATH`, relative to
 * `baseDir`), `<pipeline dir>/connectors`, then the built-ins.
 */
export class ConnectorRegistry {
  readonly #searchPath: readonly string[];
  readonly #cache = new Map<string, ResolvedConnector | undefined>();

  constructor(
    readonly baseDir: string,
    connectorsPath: readonly string[] = [],
  ) {
    this.#searchPath = [
      ...connectorsPath.map((p) => resolve(baseDir, p)),
      join(baseDir, 'connectors'),
      BUILTIN_CONNECTORS_DIR,
    ];
  }

  get searchPath(): readonly string[] {
    return this.#searchPath;
  }

  resolve(use: string): ResolvedConnector | undefined {
    if (this.#cache.has(use)) return this.#cache.get(use);
    const candidates =
      use.startsWith('.') || isAbsolute(use) ? [resolve(this.baseDir, use)] : this.#searchPath.map((p) => join(p, use));
    const dir = candidates.find((d) => existsSync(join(d, 'manifest.json')));
    const found = dir ? this.#load(use, dir) : undefined;
    this.#cache.set(use, found);
    return found;
  }

  #load(use: string, dir: string): ResolvedConnector {
    const manifest = readConnectorManifest(dir);
    const configSchema = JSON.parse(readFileSync(join(dir, manifest.configSchema), 'utf8')) as object;
    const bindingsDir = join(dir, 'build', 'bindings');
    return { use, dir, manifest, configSchema, bindingsDir, built: existsSync(join(bindingsDir, 'connector.js')) };
  }
}

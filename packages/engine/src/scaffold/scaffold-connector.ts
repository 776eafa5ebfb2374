import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { linkDependencies } from './link-dependencies.js';
import { ScaffoldError } from './scaffold-error.js';
import { CONNECTOR_NAME_PATTERN, SCAFFOLD_KINDS, type ScaffoldKind } from './scaffold-kinds.js';
import { commonFiles } from './templates/common-files.js';
import { destinationFiles } from './templates/destination-files.js';
import { sourceFiles } from './templates/source-files.js';
import { transformFiles } from './templates/transform-files.js';

/** What to scaffold and where. */
export interface ScaffoldOptions {
  readonly kind: ScaffoldKind;
  /** Connector name (`[a-z][a-z0-9-]*`), also the manifest and package name. */
  readonly name: string;
  /** The connector folder to create (must not exist or be empty). */
  readonly dir: string;
  /** Link the SDK, typescript and vitest into `node_modules` (default true). */
  readonly link?: boolean;
}

/** A scaffolded connector folder. */
export interface ScaffoldResult {
  readonly dir: string;
  /** Files written, relative to `dir`. */
  readonly files: readonly string[];
  /** Packages linked into `node_modules`, by name. */
  readonly linked: Readonly<Record<string, string>>;
  /** Packages to install before `npm run build` / `npm test` (empty when everything was linked). */
  readonly missing: readonly string[];
}

const KIND_FILES: Readonly<Record<ScaffoldKind, (name: string) => Record<string, string>>> = {
  source: sourceFiles,
  destination: destinationFiles,
  transform: transformFiles,
};

/**
 * Creates a connector folder cut like the built-in ones (manifest, config schema, `src/`,
 * `test/`) that builds with `npm run build` and passes its own tests with `npm test`.
 */
export async function scaffoldConnector(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { kind, name } = options;
  if (!SCAFFOLD_KINDS.includes(kind)) {
    throw new ScaffoldError(
      'BAD_KIND',
      `unknown connector kind '${String(kind)}'; allowed: ${SCAFFOLD_KINDS.join(', ')}`,
      { value: String(kind), allowed: SCAFFOLD_KINDS },
    );
  }
  if (!CONNECTOR_NAME_PATTERN.test(name)) {
    throw new ScaffoldError(
      'BAD_NAME',
      `connector name '${name}' must match [a-z][a-z0-9-]* (lower case, digits, dashes)`,
      { value: name },
    );
  }
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new ScaffoldError('TARGET_NOT_EMPTY', `${dir} exists and is not empty; choose a new folder`, { dir });
  }
  const files = { ...commonFiles(kind, name), ...KIND_FILES[kind](name) };
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const links = options.link === false ? { linked: {}, missing: [] } : await linkDependencies(dir);
  return { dir, files: Object.keys(files).sort(), ...links };
}

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, realpath, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** A package the scaffolded folder needs and where its command-line entry is. */
interface LinkedPackage {
  readonly name: string;
  /** Resolves the package's root directory from this engine installation. */
  readonly find: (require: NodeJS.Require) => string;
  /** `node_modules/.bin` name -> file inside the package. */
  readonly bins: Readonly<Record<string, string>>;
}

/** The folder of `name`'s package.json above a resolved entry file of it. */
const packageRoot = (require: NodeJS.Require, name: string, entry: string): string => {
  for (let dir = dirname(require.resolve(entry)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name)
      return dir;
  }
  throw new Error(`${name}: package.json not found above ${entry}`);
};

const PACKAGES: readonly LinkedPackage[] = [
  {
    name: '@rapidbyte/sdk',
    find: (r) => packageRoot(r, '@rapidbyte/sdk', '@rapidbyte/sdk/contract'),
    bins: { 'rapidbyte-build': 'bin/rapidbyte-build.mjs' },
  },
  { name: 'typescript', find: (r) => dirname(r.resolve('typescript/package.json')), bins: { tsc: 'bin/tsc' } },
  { name: 'vitest', find: (r) => dirname(r.resolve('vitest/package.json')), bins: { vitest: 'vitest.mjs' } },
];

/** What `linkDependencies` did. */
export interface LinkResult {
  /** Package name -> the directory linked to. */
  readonly linked: Readonly<Record<string, string>>;
  /** Packages this engine installation does not have (the user installs them: `npm install`). */
  readonly missing: readonly string[];
}

/**
 * Makes a scaffolded folder build and test offline, outside any workspace: `node_modules` gets
 * symlinks to this engine's own `@rapidbyte/sdk`, `typescript` and `vitest` (and their `.bin`
 * entries), so `npm run build` / `npm test` need no install and no network.
 */
export async function linkDependencies(dir: string): Promise<LinkResult> {
  const require = createRequire(import.meta.url);
  const linked: Record<string, string> = {};
  const missing: string[] = [];
  const modules = join(dir, 'node_modules');
  await mkdir(join(modules, '.bin'), { recursive: true });
  for (const pkg of PACKAGES) {
    let root: string;
    try {
      root = await realpath(pkg.find(require));
    } catch {
      missing.push(pkg.name);
      continue;
    }
    const at = join(modules, pkg.name);
    await mkdir(dirname(at), { recursive: true });
    await symlink(root, at, 'dir');
    for (const [bin, file] of Object.entries(pkg.bins)) {
      const link = join(modules, '.bin', bin);
      await symlink(relative(join(modules, '.bin'), join(at, file)), link);
    }
    linked[pkg.name] = root;
  }
  return { linked, missing };
}

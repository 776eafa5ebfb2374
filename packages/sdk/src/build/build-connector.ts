import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { componentize } from '@bytecodealliance/componentize-js';
import { transpile } from '@bytecodealliance/jco';
import { readConnectorManifest, undeclaredEndpointFields, type ConnectorManifest } from './connector-manifest.js';

/** Where the WIT package lives inside @rapidbyte/sdk. */
export const WIT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../wit');

/** Output layout of a built connector (inside the connector folder). */
export interface BuiltConnector {
  readonly manifest: ConnectorManifest;
  readonly bundle: string;
  readonly component: string;
  /** jco-transpiled host bindings (`connector.js` exporting `instantiate`, plus core modules). */
  readonly bindingsDir: string;
  readonly timingsMs: { readonly bundle: number; readonly componentize: number; readonly transpile: number };
}

/**
 * Builds a connector folder: bundles its TypeScript with the SDK (esbuild), turns the bundle into
 * a WebAssembly component (componentize-js, every WASI feature disabled so the guest has no
 * filesystem, clock, random or network of its own), and transpiles the component to host bindings
 * in `--instantiation async` mode so the engine supplies every import itself.
 */
export async function buildConnector(dir: string): Promise<BuiltConnector> {
  const root = resolve(dir);
  const manifest = readConnectorManifest(root);
  // a misspelt endpoint field would silently grant nothing
  const undeclared =
    manifest.endpointFields.length === 0 ? [] : undeclaredEndpointFields(manifest, await readConfigSchema(root));
  if (undeclared.length > 0) {
    throw new Error(
      `manifest.json: "endpointFields" names ${undeclared.map((f) => `"${f}"`).join(', ')}, not in ${manifest.configSchema}`,
    );
  }
  const out = join(root, 'build');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const t0 = performance.now();
  const bundle = join(out, 'connector.js');
  await esbuild({
    entryPoints: [join(root, manifest.entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: bundle,
    external: ['rapidbyte:*'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  const t1 = performance.now();

  const { component } = await componentize({
    sourcePath: bundle,
    witPath: WIT_DIR,
    worldName: manifest.roles[0],
    disableFeatures: ['stdio', 'random', 'clocks', 'http'],
  });
  const componentFile = join(out, 'connector.wasm');
  await writeFile(componentFile, component);
  const t2 = performance.now();

  const bindingsDir = join(out, 'bindings');
  const { files } = await transpile(component, {
    name: 'connector',
    instantiation: 'async',
    noTypescript: true,
    quiet: true,
  });
  for (const [name, bytes] of Object.entries(files)) {
    const target = join(bindingsDir, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  const t3 = performance.now();
  await writeFile(
    join(out, 'build-info.json'),
    JSON.stringify(
      { name: manifest.name, version: manifest.version, roles: manifest.roles, bytes: component.length },
      null,
      2,
    ),
  );
  return {
    manifest,
    bundle,
    component: componentFile,
    bindingsDir,
    timingsMs: { bundle: t1 - t0, componentize: t2 - t1, transpile: t3 - t2 },
  };
}

/** Reads the connector's config JSON Schema. */
export async function readConfigSchema(dir: string): Promise<object> {
  const manifest = readConnectorManifest(dir);
  return JSON.parse(await readFile(join(dir, manifest.configSchema), 'utf8')) as object;
}

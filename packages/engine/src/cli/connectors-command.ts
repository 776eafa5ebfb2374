import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorRegistry, type ResolvedConnector } from '../runtime/connector-registry.js';
import { cliEngineOptions } from './engine-options-from-env.js';
import { displayWidth, padEndDisplay } from './display-width.js';
import { EXIT_CODES } from './exit-codes.js';
import { reportFailure } from './report-failure.js';

/** One line of `rapidbyte connectors`. */
export interface ConnectorListing {
  readonly name: string;
  readonly version: string;
  readonly roles: readonly string[];
  readonly dir: string;
  readonly built: boolean;
  readonly description?: string;
}

/** Every connector the registry finds on its search path, the first of each name (the one `use:` loads). */
function listConnectors(registry: ConnectorRegistry): ConnectorListing[] {
  const found = new Map<string, ResolvedConnector>();
  for (const dir of registry.searchPath) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || found.has(entry.name) || !existsSync(join(dir, entry.name, 'manifest.json')))
        continue;
      const resolved = registry.resolve(entry.name);
      if (resolved) found.set(entry.name, resolved);
    }
  }
  return [...found.values()]
    .map((c) => ({
      name: c.manifest.name,
      version: c.manifest.version,
      roles: c.manifest.roles,
      dir: c.dir,
      built: c.built,
      ...(c.manifest.description && { description: c.manifest.description }),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function formatConnectors(list: readonly ConnectorListing[]): string {
  if (list.length === 0) return 'no connectors found';
  const rows = [
    ['name', 'version', 'roles', 'built', 'loaded from'],
    ...list.map((c) => [c.name, c.version, c.roles.join(','), c.built ? 'yes' : 'no', c.dir]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : padEndDisplay(c, widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** `rapidbyte connectors`: name, version, roles and where each connector is loaded from. */
export function connectorsCommand(opts: { json?: boolean; dir?: string }): number {
  try {
    const list = listConnectors(new ConnectorRegistry(opts.dir ?? process.cwd(), cliEngineOptions().connectorsPath));
    process.stdout.write(`${opts.json ? JSON.stringify(list, null, 2) : formatConnectors(list)}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error);
  }
}

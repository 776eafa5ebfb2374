import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONNECTOR_ROLES = ['source', 'destination', 'transform'] as const;
export type ConnectorRole = (typeof CONNECTOR_ROLES)[number];

/** `manifest.json` of a connector folder. */
export interface ConnectorManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  /** What the connector can be used as; also the WIT world it is built against (the first role). */
  readonly roles: readonly ConnectorRole[];
  /** TypeScript entry, relative to the folder (default `src/index.ts`). */
  readonly entry: string;
  /** JSON Schema of `config`, relative to the folder (default `config-schema.json`). */
  readonly configSchema: string;
}

/** Reads and checks a connector's manifest; errors name the file and the key. */
export function readConnectorManifest(dir: string): ConnectorManifest {
  const file = join(dir, 'manifest.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: cannot read connector manifest: ${(error as Error).message}`, { cause: error });
  }
  const name = raw.name;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`${file}: "name" must match [a-z][a-z0-9-]*, got ${JSON.stringify(name)}`);
  }
  const roles = raw.roles;
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => CONNECTOR_ROLES.includes(r as ConnectorRole))) {
    throw new Error(`${file}: "roles" must be a non-empty list of ${CONNECTOR_ROLES.join(' | ')}, got ${JSON.stringify(roles)}`);
  }
  return Object.freeze({
    name,
    version: typeof raw.version === 'string' ? raw.version : '0.0.0',
    description: typeof raw.description === 'string' ? raw.description : undefined,
    roles: Object.freeze([...(roles as ConnectorRole[])]),
    entry: typeof raw.entry === 'string' ? raw.entry : 'src/index.ts',
    configSchema: typeof raw.configSchema === 'string' ? raw.configSchema : 'config-schema.json',
  });
}

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
  /**
   * Config fields that name what the connector connects to (`url`, `host`; dotted paths reach
   * into objects, `replica.url`): the engine lets the connector reach the hosts in them without
   * `permissions.network.allowed_hosts`. A field may hold a URL, a host, `host:port`, a
   * comma-separated list, a libpq `host=…` string, or a list of these. Default: none.
   */
  readonly endpointFields: readonly string[];
}

const ENDPOINT_FIELD = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

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
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r) => CONNECTOR_ROLES.includes(r as ConnectorRole))
  ) {
    throw new Error(
      `${file}: "roles" must be a non-empty list of ${CONNECTOR_ROLES.join(' | ')}, got ${JSON.stringify(roles)}`,
    );
  }
  const endpointFields = raw.endpointFields ?? [];
  if (!Array.isArray(endpointFields) || !endpointFields.every((f) => typeof f === 'string' && ENDPOINT_FIELD.test(f))) {
    throw new Error(
      `${file}: "endpointFields" must be a list of config field names (dotted paths like "url" or "replica.host"), got ${JSON.stringify(endpointFields)}`,
    );
  }
  return Object.freeze({
    name,
    version: typeof raw.version === 'string' ? raw.version : '0.0.0',
    description: typeof raw.description === 'string' ? raw.description : undefined,
    roles: Object.freeze([...(roles as ConnectorRole[])]),
    entry: typeof raw.entry === 'string' ? raw.entry : 'src/index.ts',
    configSchema: typeof raw.configSchema === 'string' ? raw.configSchema : 'config-schema.json',
    endpointFields: Object.freeze([...(endpointFields as string[])]),
  });
}

/**
 * `endpointFields` that the config schema does not describe (a typo would silently grant nothing):
 * each dotted path must name a property, looked up in `properties` and in the branches of
 * `oneOf`/`anyOf`/`allOf`. A schema without `properties` at some level accepts any name there.
 */
export function undeclaredEndpointFields(
  manifest: Pick<ConnectorManifest, 'endpointFields'>,
  configSchema: unknown,
): string[] {
  return manifest.endpointFields.filter((field) => {
    let levels: unknown[] = [configSchema];
    for (const key of field.split('.')) {
      const schemas = levels.flatMap(branches);
      if (!schemas.some((s) => isRecord(s.properties))) return false;
      levels = schemas
        .map((s) => (isRecord(s.properties) ? s.properties[key] : undefined))
        .filter((s) => s !== undefined);
      if (levels.length === 0) return true;
    }
    return false;
  });
}

function branches(schema: unknown): Record<string, unknown>[] {
  if (!isRecord(schema)) return [];
  const nested = ['oneOf', 'anyOf', 'allOf'].flatMap((k) =>
    Array.isArray(schema[k]) ? (schema[k] as unknown[]).flatMap(branches) : [],
  );
  return [schema, ...nested];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

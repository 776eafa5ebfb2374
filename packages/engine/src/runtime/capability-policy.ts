import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** What a connector instance may reach: `permissions` of its pipeline block, and the hosts its config names. */
export interface CapabilityPolicy {
  readonly connector: string;
  /** `permissions.network.allowed_hosts` as written (`*` allows every host). */
  readonly allowedHosts: readonly string[];
  /** Hosts the connector's config names in its endpoint fields (manifest `endpointFields`): allowed unless `allowedHostsOnly`. */
  readonly endpointHosts?: readonly { readonly host: string; readonly field: string }[];
  /** `permissions.network.allowed_hosts_only: true`: `allowedHosts` is the only grant. */
  readonly allowedHostsOnly?: boolean;
  /** Where the connector's block is in the pipeline file (`source`, `destination`, `transforms[0]`), for the key a refusal names. */
  readonly at?: string;
  /** Absolute paths, granted read-only (a directory grants everything below it). */
  readonly allowedPaths: readonly string[];
  /** What a relative path a connector reads is relative to: the pipeline file's folder (default: the working directory). */
  readonly baseDir?: string;
}

/** A refused capability: permanent, never retried. */
export class CapabilityDenied extends Error {
  readonly kind = 'permanent' as const;
  constructor(
    readonly code: 'NETWORK_DENIED' | 'FS_DENIED',
    message: string,
  ) {
    super(message);
    this.name = 'CapabilityDenied';
  }
}

/**
 * Throws unless `host` is one the connector's config names in an endpoint field (not with
 * `allowedHostsOnly`) or is listed in `permissions.network.allowed_hosts` (or the list has `*`).
 * The refusal names the host, what is granted (hosts with the config field they come from, never
 * the field's value) and the exact key that grants it.
 */
export function checkHost(policy: CapabilityPolicy, host: string, port: number): void {
  const wanted = bare(host);
  const own = policy.allowedHostsOnly ? [] : (policy.endpointHosts ?? []);
  const ok =
    policy.allowedHosts.some((h) => h === '*' || bare(h) === wanted) || own.some((e) => bare(e.host) === wanted);
  if (ok) return;
  const key = `${policy.at ? `${policy.at}.` : ''}permissions.network.allowed_hosts`;
  const listed = `${key} (${policy.allowedHosts.length > 0 ? policy.allowedHosts.join(', ') : 'empty'})`;
  const fromConfig = (policy.endpointHosts ?? []).map((e) => `${e.host} from config.${e.field}`).join(', ') || 'none';
  const reason = policy.allowedHostsOnly
    ? `host is not in ${listed}, and allowed_hosts_only: true grants nothing else (not the config's hosts: ${fromConfig})`
    : `host is neither in the connector's config (${fromConfig}) nor in ${listed}`;
  const grant = [...policy.allowedHosts, host.replace(/^\[|\]$/g, '')].map(yamlScalar).join(', ');
  const inConfig = (policy.endpointHosts ?? []).some((e) => bare(e.host) === wanted);
  throw new CapabilityDenied(
    'NETWORK_DENIED',
    `${policy.connector}: connection to ${host}:${port} refused: ${reason}; to grant it, set ${key}: [${grant}]${inConfig ? ' or remove allowed_hosts_only' : ''}`,
  );
}

/** Lower case, without the brackets of an IPv6 literal. */
function bare(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '');
}

/** A host as a YAML flow-sequence item: plain when it can be, else double-quoted (`"::1"`, `"*"`). */
function yamlScalar(host: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(host) ? host : JSON.stringify(host);
}

/** Resolves symlinks and throws unless the file lies inside a path of `permissions.fs.allowed_paths`. */
export async function checkPath(policy: CapabilityPolicy, path: string): Promise<string> {
  const denied = (): CapabilityDenied =>
    new CapabilityDenied(
      'FS_DENIED',
      `${policy.connector}: read of ${path} refused: not inside permissions.fs.allowed_paths ` +
        `(${policy.allowedPaths.length > 0 ? policy.allowedPaths.join(', ') : 'none granted'})`,
    );
  let real: string;
  try {
    real = await realpath(policy.baseDir ? resolve(policy.baseDir, path) : resolve(path));
  } catch {
    throw denied();
  }
  for (const granted of policy.allowedPaths) {
    let root: string;
    try {
      root = await realpath(granted);
    } catch {
      continue;
    }
    if (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)) return real;
  }
  throw denied();
}

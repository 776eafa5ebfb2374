import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** What a connector instance may reach: `permissions` of its pipeline block. */
export interface CapabilityPolicy {
  readonly connector: string;
  readonly allowedHosts: readonly string[];
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

/** Throws unless `host` is listed in `permissions.network.allowed_hosts` (or the list has `*`). */
export function checkHost(policy: CapabilityPolicy, host: string, port: number): void {
  const wanted = host.toLowerCase().replace(/^\[|\]$/g, '');
  const ok = policy.allowedHosts.some((h) => h === '*' || h.toLowerCase() === wanted);
  if (!ok) {
    throw new CapabilityDenied(
      'NETWORK_DENIED',
      `${policy.connector}: connection to ${host}:${port} refused: host is not in permissions.network.allowed_hosts ` +
        `(${policy.allowedHosts.length > 0 ? policy.allowedHosts.join(', ') : 'empty'})`,
    );
  }
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

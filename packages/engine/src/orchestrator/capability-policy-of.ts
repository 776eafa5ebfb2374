import type { ConnectorRef } from '../config/index.js';
import type { CapabilityPolicy } from '../runtime/capability-policy.js';

/**
 * The capability policy of a connector block: its `permissions` and the hosts its config names.
 * `at` is where the block is in the pipeline file (`source`, `destination`, `transforms[0]`), so a
 * refusal names the exact key to add; `baseDir`: relative paths a connector reads resolve against
 * the pipeline file's folder, like `allowed_paths`.
 */
export function capabilityPolicyOf(ref: ConnectorRef, at: string, baseDir: string | undefined): CapabilityPolicy {
  const network = ref.permissions.network;
  return {
    connector: ref.use,
    allowedHosts: network.allowedHosts,
    ...(network.endpointHosts !== undefined && { endpointHosts: network.endpointHosts }),
    ...(network.allowedHostsOnly === true && { allowedHostsOnly: true }),
    at,
    allowedPaths: ref.permissions.fs.allowedPaths,
    ...(baseDir !== undefined && { baseDir }),
  };
}

import { availableParallelism } from 'node:os';

/**
 * Defines `globalThis.navigator` on Node 20 the way Node 21+ does (`userAgent: 'Node.js/<major>'`),
 * when `enabled` and not already defined. Without it, `pg` probes for Cloudflare Workers on load by
 * constructing a `Response`, which loads Node's fetch implementation (undici): ~30–150 ms of every
 * thread's start-up that never serves anything. Must run before `pg` is loaded, in every thread
 * that loads it (the CLI's main thread and each stream worker). Returns whether it defined it.
 */
export function defineNodeNavigator(enabled: boolean): boolean {
  if (!enabled || typeof (globalThis as { navigator?: unknown }).navigator !== 'undefined') return false;
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: Object.freeze({
      hardwareConcurrency: availableParallelism(),
      language: 'en-US',
      languages: Object.freeze(['en-US']),
      platform: process.platform,
      userAgent: `Node.js/${process.versions.node.split('.')[0]}`,
    }),
  });
  return true;
}

import type { ListenAddress } from './serve-options.js';

/** The default bind: loopback only, so nothing beyond this machine reaches the API without a token decision. */
export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 7878 };

/** `host:port` (`[::1]:7878` for IPv6) as a listen address, or why not. */
export function parseListenAddress(text: string): ListenAddress | { problem: string } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    return { problem: `--listen must be host:port (e.g. 127.0.0.1:7878 or [::1]:7878), got ${JSON.stringify(text)}` };
  return { host: (match[1] ?? match[2]) as string, port };
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

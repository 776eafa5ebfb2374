import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapabilityDenied, checkHost, checkPath, type CapabilityPolicy } from './capability-policy.js';

const policy = (allowedHosts: string[], allowedPaths: string[] = []): CapabilityPolicy => ({
  connector: 'probe',
  allowedHosts,
  allowedPaths,
});

describe('checkHost', () => {
  it('allows listed hosts case-insensitively and bracketed IPv6', () => {
    expect(() => checkHost(policy(['DB.example.com', '::1']), 'db.EXAMPLE.com', 5432)).not.toThrow();
    expect(() => checkHost(policy(['::1']), '[::1]', 5432)).not.toThrow();
    expect(() => checkHost(policy(['*']), 'anything', 1)).not.toThrow();
  });

  it('refuses other hosts, naming host, port, the allowed list and the key that grants it', () => {
    const call = (): void => checkHost(policy(['127.0.0.1']), 'localhost', 5432);
    expect(call).toThrow(CapabilityDenied);
    expect(call).toThrow(
      /localhost:5432 refused: host is neither in the connector's config \(none\) nor in permissions.network.allowed_hosts \(127.0.0.1\)/,
    );
    expect(call).toThrow(/to grant it, set permissions.network.allowed_hosts: \[127.0.0.1, localhost\]$/);
    expect(() => checkHost(policy([]), '127.0.0.1', 1)).toThrow(/\(empty\)/);
  });

  describe('with the hosts of the config', () => {
    const withConfig = (extra: Partial<CapabilityPolicy>): CapabilityPolicy => ({
      ...policy(['replica.example.com']),
      endpointHosts: [
        { host: 'db.example.com', field: 'url' },
        { host: '::1', field: 'host' },
      ],
      at: 'source',
      ...extra,
    });

    it('allows the config hosts and allowed_hosts together', () => {
      for (const host of ['db.example.com', 'DB.example.com', '[::1]', '::1', 'replica.example.com']) {
        expect(() => checkHost(withConfig({}), host, 5432), host).not.toThrow();
      }
    });

    it('refuses anything else, naming the config hosts by field and the exact key under the block', () => {
      const call = (): void => checkHost(withConfig({}), 'api.example.com', 443);
      expect(call).toThrow(CapabilityDenied);
      expect(call).toThrow(
        "connection to api.example.com:443 refused: host is neither in the connector's config (db.example.com from config.url, ::1 from config.host) " +
          'nor in source.permissions.network.allowed_hosts (replica.example.com); to grant it, set source.permissions.network.allowed_hosts: [replica.example.com, api.example.com]',
      );
    });

    it('allowed_hosts_only: only the list, and a config host refused says so', () => {
      const only = withConfig({ allowedHostsOnly: true });
      expect(() => checkHost(only, 'replica.example.com', 5432)).not.toThrow();
      const call = (): void => checkHost(only, 'db.example.com', 5432);
      expect(call).toThrow(
        /host is not in source.permissions.network.allowed_hosts \(replica.example.com\), and allowed_hosts_only: true grants nothing else/,
      );
      expect(call).toThrow(/allowed_hosts: \[replica.example.com, db.example.com\] or remove allowed_hosts_only$/);
    });

    it('quotes what YAML would not read as a plain host', () => {
      expect(() => checkHost(withConfig({ endpointHosts: [] }), '[fe80::2]', 1)).toThrow(
        /allowed_hosts: \[replica.example.com, "fe80::2"\]$/,
      );
    });
  });
});

describe('checkPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'rb-policy-'));
  const granted = join(root, 'granted');
  mkdirSync(granted);
  writeFileSync(join(granted, 'in.txt'), 'x');
  writeFileSync(join(root, 'secret.txt'), 'x');
  symlinkSync(join(root, 'secret.txt'), join(granted, 'link.txt'));
  mkdirSync(join(root, 'granted-sibling'));
  writeFileSync(join(root, 'granted-sibling', 'f.txt'), 'x');

  it('allows files below a granted directory', async () => {
    await expect(checkPath(policy([], [granted]), join(granted, 'in.txt'))).resolves.toMatch(/in\.txt$/);
  });

  it.each([
    ['a file outside the grant', (r: string) => join(r, 'secret.txt')],
    ['a symlink inside the grant pointing outside', (r: string) => join(r, 'granted', 'link.txt')],
    ['a sibling whose name starts with the grant', (r: string) => join(r, 'granted-sibling', 'f.txt')],
    ['.. escaping the grant', (r: string) => join(r, 'granted', '..', 'secret.txt')],
    ['a missing file', (r: string) => join(r, 'granted', 'missing')],
  ])('refuses %s', async (_name, path) => {
    await expect(checkPath(policy([], [granted]), path(root))).rejects.toThrow(
      /not inside permissions.fs.allowed_paths/,
    );
  });

  it('refuses everything when nothing is granted', async () => {
    await expect(checkPath(policy([]), join(granted, 'in.txt'))).rejects.toThrow(/none granted/);
  });
});

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapabilityDenied, checkHost, checkPath, type CapabilityPolicy } from './capability-policy.js';

const policy = (allowedHosts: string[], allowedPaths: string[] = []): CapabilityPolicy => ({ connector: 'probe', allowedHosts, allowedPaths });

describe('checkHost', () => {
  it('allows listed hosts case-insensitively and bracketed IPv6', () => {
    expect(() => checkHost(policy(['DB.example.com', '::1']), 'db.EXAMPLE.com', 5432)).not.toThrow();
    expect(() => checkHost(policy(['::1']), '[::1]', 5432)).not.toThrow();
    expect(() => checkHost(policy(['*']), 'anything', 1)).not.toThrow();
  });

  it('refuses other hosts, naming host, port and the allowed list', () => {
    const call = (): void => checkHost(policy(['127.0.0.1']), 'localhost', 5432);
    expect(call).toThrow(CapabilityDenied);
    expect(call).toThrow(/localhost:5432 refused: host is not in permissions.network.allowed_hosts \(127.0.0.1\)/);
    expect(() => checkHost(policy([]), '127.0.0.1', 1)).toThrow(/\(empty\)/);
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
    await expect(checkPath(policy([], [granted]), path(root))).rejects.toThrow(/not inside permissions.fs.allowed_paths/);
  });

  it('refuses everything when nothing is granted', async () => {
    await expect(checkPath(policy([]), join(granted, 'in.txt'))).rejects.toThrow(/none granted/);
  });
});

// Connectors run as sandboxed WebAssembly components: files only below permissions.fs.allowed_paths,
// TCP only to the hosts of the connector's endpoint config fields (the probe's `host` is not one) and
// permissions.network.allowed_hosts, no Node globals inside the guest (README "Sandbox").
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { pgEndpoint, REPO_ROOT, runCli, writePipeline, type CliResult } from '../support/run-cli.js';

const pg = testPg();
const PROBE = join(REPO_ROOT, 'tests/fixtures/connectors/sandbox-probe');
const INSIDE_TEXT = 'hello from inside the grant: 37 bytes';

/** A pipeline whose source is the probe (with `probeConfig` and `permissions`) and whose destination is `dst`. */
function probePipeline(dst: TestDatabase, probeConfig: string, permissions: string): string {
  return writePipeline(`version: "1.0"
pipeline: sandbox_probe
source:
  use: ${JSON.stringify(PROBE)}
  config: ${probeConfig}
  permissions: ${permissions}
  streams:
    - { name: public.nothing, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: append
`);
}

function fsGrant(dir: string): string {
  return `{ fs: { allowed_paths: [${JSON.stringify(dir)}] } }`;
}

/** The `rapidbyte check` line of the source's item `name` (`OK|FAILED  source <use>: <name> — <message>`). */
function sourceItem(result: CliResult, name: string): { ok: boolean; message: string } {
  const line = result.stdout.split('\n').find((l) => /^(OK|FAILED)\s+source /.test(l) && l.includes(`: ${name} — `));
  expect(line, `no check line for ${name} in:\n${result.stdout}\n${result.stderr}`).toBeDefined();
  const text = line ?? '';
  return { ok: text.startsWith('OK'), message: text.slice(text.indexOf(' — ') + 3) };
}

/** Every `.ts` file below `dir`. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('connector sandbox', () => {
  let dst: TestDatabase;
  let granted: string;
  let outside: string;

  beforeAll(async () => {
    dst = await pg.createDatabase('sandbox_dst');
    granted = mkdtempSync(join(tmpdir(), 'rb-grant-'));
    outside = mkdtempSync(join(tmpdir(), 'rb-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'top secret, outside the grant\n');
    writeFileSync(join(granted, 'inside.txt'), INSIDE_TEXT);
    symlinkSync(join(outside, 'secret.txt'), join(granted, 'escape.txt'));
  });

  describe('filesystem', () => {
    it('refuses a file outside permissions.fs.allowed_paths (FS_DENIED naming allowed_paths)', async () => {
      const target = join(outside, 'secret.txt');
      const result = await runCli([
        'check',
        probePipeline(dst, `{ path: ${JSON.stringify(target)} }`, fsGrant(granted)),
      ]);
      expect(result.code).not.toBe(0);
      const item = sourceItem(result, 'fs');
      expect(item.ok).toBe(false);
      expect(item.message).toMatch(/^FS_DENIED: /);
      expect(item.message).toContain('allowed_paths');
      expect(item.message).toContain(target);
      expect(result.stdout).not.toContain('top secret');
    });

    it('refuses a system file (/etc/hostname) when only a temp dir is granted', async () => {
      const result = await runCli(['check', probePipeline(dst, `{ path: /etc/hostname }`, fsGrant(granted))]);
      expect(result.code).not.toBe(0);
      const item = sourceItem(result, 'fs');
      expect(item.ok).toBe(false);
      expect(item.message).toMatch(/^FS_DENIED: .*allowed_paths/);
    });

    it('reads a file inside the granted dir, with the right byte count', async () => {
      const result = await runCli([
        'check',
        probePipeline(dst, `{ path: ${JSON.stringify(join(granted, 'inside.txt'))} }`, fsGrant(granted)),
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(sourceItem(result, 'fs')).toEqual({ ok: true, message: `read ${Buffer.byteLength(INSIDE_TEXT)} bytes` });
    });

    it('refuses a symlink inside the granted dir that points outside it', async () => {
      const link = join(granted, 'escape.txt');
      const result = await runCli(['check', probePipeline(dst, `{ path: ${JSON.stringify(link)} }`, fsGrant(granted))]);
      expect(result.code).not.toBe(0);
      const item = sourceItem(result, 'fs');
      expect(item.ok).toBe(false);
      expect(item.message).toMatch(/^FS_DENIED: .*allowed_paths/);
    });

    it('refuses a ../ path that starts inside the grant and leaves it', async () => {
      const sneaky = `${granted}/../${relative(join(granted, '..'), join(outside, 'secret.txt'))}`;
      const result = await runCli([
        'check',
        probePipeline(dst, `{ path: ${JSON.stringify(sneaky)} }`, fsGrant(granted)),
      ]);
      expect(result.code).not.toBe(0);
      expect(sourceItem(result, 'fs')).toMatchObject({ ok: false, message: expect.stringMatching(/^FS_DENIED: /) });
    });

    it('grants nothing when permissions.fs is absent', async () => {
      const result = await runCli([
        'check',
        probePipeline(dst, `{ path: ${JSON.stringify(join(granted, 'inside.txt'))} }`, '{}'),
      ]);
      expect(result.code).not.toBe(0);
      expect(sourceItem(result, 'fs')).toMatchObject({ ok: false, message: expect.stringMatching(/^FS_DENIED: /) });
    });
  });

  describe('network', () => {
    it('refuses 127.0.0.1 when only localhost is allowed (NETWORK_DENIED naming allowed_hosts)', async () => {
      const result = await runCli([
        'check',
        probePipeline(dst, `{ host: 127.0.0.1, port: ${pg.port} }`, '{ network: { allowed_hosts: [localhost] } }'),
      ]);
      expect(result.code).toBe(3);
      const item = sourceItem(result, 'net');
      expect(item.ok).toBe(false);
      expect(item.message).toMatch(/^NETWORK_DENIED: /);
      expect(item.message).toContain(`127.0.0.1:${pg.port}`);
      expect(item.message).toContain('allowed_hosts');
      expect(item.message).toContain('localhost');
    });

    it('connects to 127.0.0.1 when it is allowed', async () => {
      const result = await runCli([
        'check',
        probePipeline(dst, `{ host: 127.0.0.1, port: ${pg.port} }`, '{ network: { allowed_hosts: [127.0.0.1] } }'),
      ]);
      expect(result.code).toBe(0);
      expect(sourceItem(result, 'net')).toEqual({ ok: true, message: `connected to 127.0.0.1:${pg.port}` });
    });

    it('source-postgres cannot reach a database whose host allowed_hosts_only leaves out: run exits 3, check FAILED', async () => {
      const src = await pg.createDatabase('sandbox_src');
      await pg.query(src.name, 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)');
      const file = writePipeline(`version: "1.0"
pipeline: sandbox_denied
source:
  use: source-postgres
  config: { url: "${src.url}" }
  permissions: { network: { allowed_hosts: [10.0.0.1], allowed_hosts_only: true } }
  streams:
    - { name: public.t, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
`);
      const run = await runCli(['run', file]);
      expect(run.code).toBe(3);
      const output = run.stdout + run.stderr;
      expect(output).toContain('NETWORK_DENIED');
      expect(output).toContain('127.0.0.1');
      expect(output).toContain('10.0.0.1');
      expect((await pg.query(dst.name, `SELECT to_regclass('public.t') AS t`)).rows[0].t).toBeNull();

      const check = await runCli(['check', file]);
      expect(check.code).toBe(3);
      const failed = check.stdout.split('\n').filter((l) => l.startsWith('FAILED  source source-postgres'));
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.join('\n')).toContain('NETWORK_DENIED');
      expect(check.stdout).toMatch(/^OK\s+destination dest-postgres: connect/m);
    });
  });

  describe('the guest is a WebAssembly component', () => {
    it('sees no Node globals (process, require)', async () => {
      const result = await runCli(['check', probePipeline(dst, '{}', '{}')]);
      expect(result.code).toBe(0);
      const item = sourceItem(result, 'ambient');
      expect(item.message).toContain('process=undefined');
      expect(item.message).toContain('require=undefined');
      expect(item.message).toContain('Deno=undefined');
    });

    it.each(['source-postgres', 'dest-postgres'])(
      '%s is built as a component (\\0asm, version 0d 00 01 00)',
      (name) => {
        const head = readFileSync(join(REPO_ROOT, 'connectors', name, 'build/connector.wasm')).subarray(0, 8);
        expect([...head.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
        expect([...head.subarray(4, 8)]).toEqual([0x0d, 0x00, 0x01, 0x00]);
      },
    );

    it("the engine's source never imports a connector", () => {
      const files = tsFiles(join(REPO_ROOT, 'packages/engine/src'));
      expect(files.length).toBeGreaterThan(10);
      const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
      const offending: string[] = [];
      for (const file of files) {
        const source = readFileSync(file, 'utf8');
        for (const m of source.matchAll(specifier)) {
          const spec = m[1] ?? '';
          if (/(^|\/)connectors\//.test(spec) || /^@rapidbyte\/(source|dest|sandbox)-/.test(spec)) {
            offending.push(`${relative(REPO_ROOT, file)}: ${spec}`);
          }
        }
      }
      expect(offending).toEqual([]);
    });
  });
});

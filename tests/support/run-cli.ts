// Runs the built `rapidbyte` CLI as a child process (the way users and CI run it).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'packages/engine/dist/cli/main.js');

/** What a CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rapidbyte <args>`; `env` is added to the test process's environment. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Writes a pipeline YAML into a fresh temp dir (its state DB lands beside it); returns the file. */
export function writePipeline(yaml: string, name = 'pipeline.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-e2e-'));
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** A source/destination block for the shared test cluster (allowed_hosts 127.0.0.1). */
export function pgEndpoint(url: string, extra = ''): string {
  return `config: { url: "${url}"${extra} }\n  permissions: { network: { allowed_hosts: [127.0.0.1] } }`;
}

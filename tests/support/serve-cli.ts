// `rapidbyte serve` as a child process: a project folder of pipelines, start (listening on a free
// port, ready), its HTTP API, stop, and reading its Prometheus metrics. Shared by the serve e2e tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { PipelineDoc } from './pipeline-yaml.js';
import { spawnCli, waitFor, type SpawnedCli } from './spawn-cli.js';
import type { TestDatabase } from './test-pg.js';

/** The API token the served processes are started with. */
export const SERVE_TOKEN = 'serve-test-token';

/** A project folder holding the pipelines (their SQLite state DB lands in it). */
export function projectDir(docs: readonly PipelineDoc[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-serve-'));
  for (const doc of docs) writeFileSync(join(dir, `${doc.pipeline}.yaml`), stringify(doc));
  return dir;
}

export interface Serving {
  readonly cli: SpawnedCli;
  readonly url: string;
}

/**
 * Starts `rapidbyte serve <dir>` on a free port of 127.0.0.1 and waits until it is ready
 * (`token` defaults to {@link SERVE_TOKEN}; `env` adds variables).
 */
export async function serve(
  dir: string,
  systemDb: TestDatabase,
  options: { token?: string; env?: Record<string, string> } = {},
): Promise<Serving> {
  const cli = spawnCli(['serve', dir, '--system-database', systemDb.url, '--listen', '127.0.0.1:0'], {
    env: { RAPIDBYTE_API_TOKEN: options.token ?? SERVE_TOKEN, ...options.env },
    timeoutMs: 300_000,
  });
  const url = await waitFor('serve to listen', async () => /listening on (http:\/\/\S+)/.exec(cli.stderrSoFar())?.[1], {
    cli,
    timeoutMs: 60_000,
  });
  await waitFor('serve to be ready', async () => (cli.stderrSoFar().includes('ready: serving') ? true : undefined), {
    cli,
    timeoutMs: 60_000,
  });
  return { cli, url };
}

/** SIGTERM (unless it already exited); the exit code. */
export async function stopServe(s: Serving): Promise<number | null> {
  if (!s.cli.result()) process.kill(s.cli.pid, 'SIGTERM');
  return (await s.cli.exited).code;
}

/** One request to the served API; the status and the body (parsed JSON, or the text of a non-JSON answer). */
export async function api<T>(
  s: Serving,
  path: string,
  options: { method?: 'GET' | 'POST'; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T; contentType: string }> {
  const response = await fetch(`${s.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.method === 'POST' ? { body: JSON.stringify(options.body ?? {}) } : {}),
  });
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return { status: response.status, contentType, body: (contentType.includes('json') ? JSON.parse(text) : text) as T };
}

/** The value of one sample of a Prometheus text exposition (`name{labels}` exactly as printed), or undefined. */
export function promSample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

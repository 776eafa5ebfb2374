// `rapidbyte run` under a pseudo-terminal (script(1), no native pty module): the live progress
// display redraws its frame in place (ANSI erase sequences) and the final summary is a boxed
// table holding every stream.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, pgEndpoint, writePipeline, type CliResult } from '../support/run-cli.js';
import { databaseScope } from '../support/database-scope.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';

const cluster = testPg();

/** POSIX shell quoting of one argument. */
const sh = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `rapidbyte <args>` with stdin, stdout and stderr on a pseudo-terminal of 120x40 via
 * util-linux `script -qec` (quiet, child's exit code, command). Both streams arrive merged.
 */
function runCliInPty(args: readonly string[]): Promise<CliResult> {
  const command = `stty cols 120 rows 40; exec ${[process.execPath, CLI, ...args].map(sh).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TERM: 'xterm-256color' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** ESC [ 2K (erase line) and ESC [ 1A (cursor up): how log-update rewrites its previous frame. */
const ERASE_LINE = '\u001b[2K';
const CURSOR_UP = '\u001b[1A';
const STREAMS = ['shop.customers', 'shop.orders', 'shop.products'];

describe('rapidbyte run on a terminal', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('display_src');
    await cluster.loadFixture(src.name, 'demo.sql');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE shop.products AS SELECT g AS id, 'product ' || g AS title FROM generate_series(1, 200000) AS g;
      ALTER TABLE shop.products ADD PRIMARY KEY (id);`,
    );
    dst = await databases.create('display_dst');
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('draws a live frame per stream and ends with a boxed summary of every stream', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: cli_display
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${STREAMS.map((s) => `    - { name: ${s}, sync_mode: full_refresh }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { parallelism: 1 }
`);
    const result = await runCliInPty(['run', file]);
    const out = result.stdout.replace(/\r\n/g, '\n');
    expect(result.code, out + result.stderr).toBe(0);

    // the display: frames redrawn in place, the title and one line per stream with its counters
    expect(out).toContain(ERASE_LINE);
    expect(out).toContain(CURSOR_UP);
    expect(out).toMatch(/run \d+ of cli_display: \d\/3 streams done/);
    const frames = out.split(ERASE_LINE).filter((f) => f.includes('streams done'));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const stream of STREAMS) {
      expect(out).toMatch(new RegExp(`${stream.replace('.', '\\.')}\\s+(queued|starting|copying)`));
      expect(out).toMatch(
        new RegExp(
          `✔ ${stream.replace('.', '\\.')}\\s+succeeded\\s+[\\d,]+ rows\\s+[\\d.]+ (B|KiB|MiB)\\s+[\\d,-]+ rows/s\\s+[\\d.]+ s`,
        ),
      );
    }
    expect(out).toContain('run 1 of cli_display: 3/3 streams done');
    // the last frame stays: it shows every stream succeeded with its final row count
    const last = out.slice(out.lastIndexOf('3/3 streams done'));
    expect(last).toMatch(/✔ shop\.products\s+succeeded\s+200,000 rows/);

    // the summary: a box-drawn table after the display, one row per stream
    const summary = out.slice(out.lastIndexOf('run 1 of cli_display: succeeded in'));
    expect(summary).toMatch(/^run 1 of cli_display: succeeded in \d+\.\d\d s\n┌/);
    expect(summary).toMatch(/│ stream\s+│ status\s+│ rows read │ rows written │/);
    const rows = summary.split('\n').filter((l) => l.startsWith('│ shop.'));
    expect(rows.map((r) => r.split('│')[1]?.trim())).toEqual(STREAMS);
    const cells = (stream: string): string[] =>
      (rows.find((r) => r.startsWith(`│ ${stream} `)) ?? '')
        .split('│')
        .map((c) => c.trim())
        .slice(1, -1);
    expect(cells('shop.customers').slice(0, 4)).toEqual(['shop.customers', 'succeeded', '1,000', '1,000']);
    expect(cells('shop.orders').slice(0, 4)).toEqual(['shop.orders', 'succeeded', '10,000', '10,000']);
    expect(cells('shop.products').slice(0, 4)).toEqual(['shop.products', 'succeeded', '200,000', '200,000']);
    expect(summary).toMatch(/└[─┴]+┘/);
  });

  it('--log-format json on a terminal prints JSON lines instead of the live frame', async () => {
    const file = writePipeline(`version: "1.0"
pipeline: cli_display_json_logs
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: shop.customers, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url, ', schema: json_logs')}
  write_mode: replace
`);
    const result = await runCliInPty(['run', file, '--log-format', 'json', '--log-level', 'debug']);
    const out = result.stdout.replace(/\r\n/g, '\n');
    expect(result.code, out).toBe(0);
    expect(out).not.toContain(ERASE_LINE);
    const records = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; stream?: string; message: string; event?: string });
    expect(
      records.some(
        (r) => r.stream === 'shop.customers' && r.event === 'stream-finished' && r.message === 'succeeded (1000 rows)',
      ),
    ).toBe(true);
    expect(records.every((r) => ['debug', 'info', 'warn', 'error'].includes(r.level))).toBe(true);
    expect(out).toMatch(/run \d+ of cli_display_json_logs: succeeded/);
  });
});

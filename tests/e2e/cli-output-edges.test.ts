// Edges of the CLI's output: a reader that closes the pipe early (`check … | head -1`) gets no
// EPIPE stack trace and the command keeps its exit code; a pipeline with more than 10 CDC streams
// prints no MaxListenersExceededWarning or DeprecationWarning; `discover` aligns CJK and emoji
// column names by display width; `runs` shows bytes the way the run summary does.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';
import type { RunJson } from '../support/run-json.js';

const cluster = testPg();

/** Columns a terminal gives the characters these tests use: CJK ideographs and the emoji take two. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u4e00-\u9fff\u3040-\u30ff]|\p{Emoji_Presentation}/u.test(ch) ? 2 : 1;
  return n;
}

/** Runs `rapidbyte <args>`, reads stdout up to its first line, then closes the pipe (like `| head -1`). */
function firstLineThenClose(args: readonly string[]): Promise<{
  firstLine: string;
  moreInFirstChunk: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstLine: string | undefined;
    let moreInFirstChunk = false;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.once('data', (d: Buffer) => {
      const text = d.toString();
      firstLine = text.split('\n')[0] ?? '';
      moreInFirstChunk = text.indexOf('\n') < text.length - 1;
      child.stdout.destroy(); // the reader goes away; the CLI's next write meets a closed pipe
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ firstLine: firstLine ?? '', moreInFirstChunk, code, signal, stderr });
    });
  });
}

describe('CLI output edges', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;

  beforeAll(async () => {
    src = await databases.create('edges_src');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE public."注文" (id int PRIMARY KEY, "名前" text, "🍣sushi" int, price numeric, "ｶﾀｶﾅ" text);
      INSERT INTO public."注文" SELECT g, 'n' || g, g, g * 1.5, 'k' FROM generate_series(1, 50) g;`,
    );
  });

  afterAll(async () => {
    await cluster.query(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE 'rapidbyte_edges%'`,
    );
    await databases.dropAll();
  });

  const pipeline = (name: string, streams: string, dst: TestDatabase = src, extra = ''): string =>
    writePipeline(`version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${streams}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
${extra}`);

  it('check piped into a reader that closes after the first line exits quietly, without an EPIPE stack trace', async () => {
    const dst = await databases.create('edges_epipe');
    const file = pipeline('edges_epipe', '    - { name: public.注文, sync_mode: full_refresh }', dst);
    const r = await firstLineThenClose(['check', file]);
    expect(r.firstLine).toMatch(/^OK\s+config /);
    expect(r.moreInFirstChunk, 'the connectivity lines came later, into the closed pipe').toBe(false);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);

    // a check that fails keeps its exit code when its reader went away
    const bad = pipeline('edges_epipe_bad', '    - { name: public.注文, sync_mode: full_refresh }', {
      name: 'no_such_db',
      url: cluster.url('edges_no_such_db'),
    });
    const failed = await firstLineThenClose(['check', bad]);
    expect(failed.firstLine).toMatch(/^OK\s+config /);
    expect(failed.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(failed.code).toBe(3);
  });

  it('a pipeline with 12 CDC streams prints no MaxListenersExceededWarning and no DeprecationWarning', async () => {
    const db = await databases.create('edges_cdc12_src');
    const tables = Array.from({ length: 12 }, (_, i) => `t${i + 1}`);
    await cluster.psql(
      db.name,
      tables
        .map(
          (t) =>
            `CREATE TABLE public.${t} (id int PRIMARY KEY, v text); INSERT INTO public.${t} SELECT g, 'v' || g FROM generate_series(1, 20) g;`,
        )
        .join('\n'),
    );
    const dst = await databases.create('edges_cdc12_dst');
    const file = writePipeline(`version: "1.0"
pipeline: edges_cdc12
source:
  use: source-postgres
  ${pgEndpoint(db.url)}
  streams:
${tables.map((t) => `    - { name: public.${t}, sync_mode: cdc }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: upsert
`);
    const first = await runCli(['run', '--json', file]);
    expect(first.code, first.stderr).toBe(0);
    await cluster.psql(
      db.name,
      tables
        .map(
          (t) =>
            `INSERT INTO public.${t} VALUES (100, 'new'); UPDATE public.${t} SET v = 'changed' WHERE id = 1; DELETE FROM public.${t} WHERE id = 2;`,
        )
        .join('\n'),
    );
    const second = await runCli(['run', '--json', file]);
    expect(second.code, second.stderr).toBe(0);
    // runs that resume: the 12 streams attach to the replication hub at once (each reads the slot's
    // row on the hub's one status connection; queued queries there printed pg's DeprecationWarning)
    const third = await runCli(['run', '--json', file]);
    expect(third.code, third.stderr).toBe(0);
    for (const r of [first, second, third]) {
      expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
      expect(r.stderr).not.toMatch(/DeprecationWarning/);
      expect(r.stderr).not.toMatch(/\(node:\d+\)/); // no process warning of any kind
    }
    expect((JSON.parse(second.stdout) as RunJson).streams.map((s) => s.status)).toEqual(tables.map(() => 'succeeded'));
    for (const t of tables) {
      const diff = await cluster.compareTables(db.url, `public.${t}`, dst.url, `public.${t}`);
      expect([diff.onlyInSource, diff.onlyInDestination, diff.destinationRows]).toEqual([[], [], 20]);
    }
    // the application's own writes still work on the published tables
    await cluster.psql(
      db.name,
      `INSERT INTO public.t1 VALUES (200, 'x'); UPDATE public.t1 SET v = 'y' WHERE id = 200; DELETE FROM public.t1 WHERE id = 200;`,
    );
  });

  it('discover aligns CJK and emoji column names by display width', async () => {
    const file = pipeline('edges_discover', '    - { name: public.注文, sync_mode: full_refresh }');
    const r = await runCli(['discover', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.includes('public.注文'));
    expect(head).toBeGreaterThanOrEqual(0);
    const cols = lines.slice(head + 1, head + 6);
    expect(cols.map((l) => l.trim().split(/\s+/)[0])).toEqual(['id', '名前', '🍣sushi', 'price', 'ｶﾀｶﾅ']);
    // every type starts at the same terminal column
    const typeAt = cols.map((l) => columns(l.slice(0, l.search(/\s(integer|text|numeric)/) + 1)));
    expect(new Set(typeAt).size, cols.join('\n')).toBe(1);
  });

  it('runs shows bytes formatted like the run summary', async () => {
    const dst = await databases.create('edges_runs');
    const file = pipeline('edges_runs', '    - { name: public.注文, sync_mode: full_refresh }', dst);
    const run = await runCli(['run', file]);
    expect(run.code, run.stderr).toBe(0);
    const summaryBytes = (run.stdout.split('\n')[2] ?? '').split(/\s{2,}/)[4];
    expect(summaryBytes).toMatch(/^[\d.]+ (B|KiB|MiB)$/);
    const runs = await runCli(['runs', '--pipeline', file]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(
      new RegExp(
        `^\\s+public\\.注文\\s+succeeded\\s+read 50\\s+written 50\\s+bytes ${summaryBytes?.replace('.', '\\.')}\\s+attempts 1$`,
        'm',
      ),
    );
  });
});

// `rapidbyte run --json`: stdout is one JSON document (the RunResult) holding every stream with
// its counters; progress and logs stay on stderr; `--streams` runs a subset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const EXPECTED_ROWS: Record<string, number> = { 'shop.customers': 1000, 'shop.orders': 10000, 'public.notes': 3 };

describe('rapidbyte run --json', () => {
  const databases = databaseScope(cluster);
  let src: TestDatabase;
  let dst: TestDatabase;
  let file: string;

  beforeAll(async () => {
    src = await databases.create('json_src');
    await cluster.loadFixture(src.name, 'demo.sql');
    await cluster.psql(
      src.name,
      `CREATE TABLE public.notes (id int PRIMARY KEY, body text); INSERT INTO public.notes VALUES (1, 'a'), (2, 'b'), (3, NULL);`,
    );
    dst = await databases.create('json_dst');
    file = writePipeline(`version: "1.0"
pipeline: cli_json
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${Object.keys(EXPECTED_ROWS)
  .map((s) => `    - { name: ${s}, sync_mode: full_refresh }`)
  .join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
`);
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('prints one JSON document holding every stream with its counters', async () => {
    const result = await runCli(['run', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const run = parseJson(result);
    expect(run).toMatchObject({ pipeline: 'cli_json', status: 'succeeded' });
    expect(run.runId).toBeGreaterThan(0);
    expect(run.streams.map((s) => s.stream).sort()).toEqual(Object.keys(EXPECTED_ROWS).sort());
    for (const s of run.streams) {
      const rows = EXPECTED_ROWS[s.stream] as number;
      expect(s).toMatchObject({ status: 'succeeded', rowsRead: rows, rowsWritten: rows, attempts: 1 });
      expect(s.bytesRead).toBeGreaterThan(0);
      expect(s.bytesWritten).toBeGreaterThan(0);
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.finishedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    }
    // stdout has nothing but the document; the plain progress lines went to stderr
    expect(result.stdout.trim().startsWith('{')).toBe(true);
    expect(result.stderr).toContain('shop.orders: succeeded (10000 rows)');
  });

  it('--streams runs only the named streams (a bare name means public)', async () => {
    const result = await runCli(['run', file, '--json', '--streams', 'notes,shop.customers']);
    expect(result.code, result.stderr).toBe(0);
    const run = parseJson(result);
    expect(run.streams.map((s) => [s.stream, s.rowsWritten])).toEqual([
      ['shop.customers', 1000],
      ['public.notes', 3],
    ]);
  });

  it('--streams with an unknown name is a config error (exit 2) naming the streams', async () => {
    const result = await runCli(['run', file, '--json', '--streams', 'shop.nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      "--streams: 'shop.nope' selects no stream (streams: shop.customers, shop.orders, public.notes)",
    );
  });

  it('--log-format json --no-progress keeps stderr JSON lines and stdout the document', async () => {
    const result = await runCli([
      'run',
      file,
      '--json',
      '--streams',
      'public.notes',
      '--log-format',
      'json',
      '--no-progress',
      '--log-level',
      'debug',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result).streams).toHaveLength(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(result.stderr).not.toContain('succeeded (3 rows)');
  });
});

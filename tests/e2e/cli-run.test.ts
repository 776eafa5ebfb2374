// The built CLI end to end: help, the run summary (table and --json), partial failures, projection,
// parallelism, `check`, where the state DB lands and the one-run-per-pipeline lock.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  columnNames,
  databaseScope,
  expectTablesEqual,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  waitFor,
  writePipeline,
  type CliResult,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

interface PipelineOptions {
  name: string;
  streams: string[];
  src: TestDatabase;
  dstUrl: string;
  destinationExtra?: string;
  extra?: string;
}

/** A pg -> pg full-refresh pipeline; `streams` are flow-mapping lines' contents. */
function pipelineYaml(o: PipelineOptions): string {
  return `version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url)}
  streams:
${o.streams.map((s) => `    - { ${s} }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dstUrl)}
  write_mode: ${o.destinationExtra ?? 'replace'}
${o.extra ?? ''}`;
}

/** Column names of a table, in order. */
async function expectEqualTables(
  src: TestDatabase,
  srcTable: string,
  dst: TestDatabase,
  dstTable: string,
  rows: number,
  columns?: string[],
): Promise<void> {
  await expectTablesEqual(src, srcTable, dst, dstTable, { rows, columns });
}

/** Byte size in the summary table (`12.3 KiB`, `512 B`) in bytes, with the display's rounding slack. */
function parseDisplayedBytes(cell: string): { value: number; slack: number } {
  const m = /^([\d.]+) (B|KiB|MiB|GiB)$/.exec(cell);
  if (!m) throw new Error(`not a byte size: ${cell}`);
  const unit = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] as 'B'];
  return { value: Number(m[1]) * unit, slack: unit === 1 ? 0 : 0.05 * unit };
}

describe('rapidbyte CLI', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);
  /** A fresh destination database (dropped in afterAll), with `ddl` run in it. */
  const freshDestination = (prefix: string, ddl?: string): Promise<TestDatabase> => databases.create(prefix, ddl);

  beforeAll(async () => {
    src = await databases.create('cli_src');
    await cluster.loadFixture(src.name, 'demo.sql');
    await cluster.psql(
      src.name,
      `
      CREATE TABLE shop.products AS
        SELECT g AS id, 'product ' || g AS title, (g % 97)::int AS stock FROM generate_series(1, 500) AS g;
      ALTER TABLE shop.products ADD PRIMARY KEY (id);
      CREATE TABLE public.big AS
        SELECT g::bigint AS id, md5(g::text) AS hash, g * 1.5 AS amount, now() AS at FROM generate_series(1, 300000) AS g;
      ANALYZE;`,
    );
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  it('--help lists run, check and the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+run \[options\] <pipeline\.yaml>/m);
    expect(result.stdout).toMatch(/^\s+check <pipeline\.yaml[|>]/m); // also a project: <pipeline.yaml|dir|project.yaml>
    expect(result.stdout).toContain('Exit codes:');
    for (const [code, meaning] of [
      ['0', 'success'],
      ['1', 'failure'],
      ['2', 'configuration error'],
      ['3', 'connection or authentication error'],
      ['4', 'data error'],
      ['5', 'partial failure'],
      ['130', 'interrupted'],
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${code}\\s+${meaning}`, 'm'));
    }
  });

  it('run prints a per-stream summary table with rows, bytes, duration and rows/s', async () => {
    const dst = await freshDestination('cli_table');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_table',
        src,
        dstUrl: dst.url,
        streams: ['name: shop.customers, sync_mode: full_refresh', 'name: shop.orders, sync_mode: full_refresh'],
      }),
    );
    const result = await runCli(['run', file]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^run \d+ of cli_table: succeeded in \d+\.\d\d s$/);
    const header = lines.findIndex((l) => l.startsWith('stream'));
    expect(lines[header]?.split(/\s{2,}/)).toEqual([
      'stream',
      'status',
      'rows read',
      'rows written',
      'bytes',
      'duration',
      'rows/s',
    ]);
    const cells = (stream: string): string[] => (lines.find((l) => l.startsWith(`${stream} `)) ?? '').split(/\s{2,}/);
    const customers = cells('shop.customers');
    const orders = cells('shop.orders');
    expect(customers.slice(0, 4)).toEqual(['shop.customers', 'succeeded', '1,000', '1,000']);
    expect(orders.slice(0, 4)).toEqual(['shop.orders', 'succeeded', '10,000', '10,000']);

    // bytes read = the COPY BINARY stream: 19-byte header, 2-byte trailer, per row a 2-byte field
    // count and per field a 4-byte length plus the value (int8 8, bool 1, timestamptz 8, text/char bytes)
    const expected = Number(
      (
        await cluster.query(
          src.name,
          `
      SELECT 21 + sum(2 + 6 * 4 + 8 + octet_length(name) + octet_length(email) + octet_length(country::text) + 1 + 8) AS n
        FROM shop.customers`,
        )
      ).rows[0].n,
    );
    const shown = parseDisplayedBytes(customers[4] as string);
    expect(Math.abs(shown.value - expected)).toBeLessThanOrEqual(shown.slack);
    expect(parseDisplayedBytes(orders[4] as string).value).toBeGreaterThan(shown.value);

    for (const row of [customers, orders]) {
      expect(row[5]).toMatch(/^\d+\.\d\d s$/);
      const secs = Number((row[5] as string).replace(' s', ''));
      const rowsPerSec = row[6] as string;
      if (secs > 0) {
        const rate = Number(rowsPerSec.replace(/,/g, ''));
        const written = Number((row[3] as string).replace(/,/g, ''));
        // rows/s is computed from the unrounded duration; allow the 2-decimal rounding of the shown one
        expect(rate).toBeGreaterThanOrEqual(written / (secs + 0.005) - 1);
        if (secs > 0.01) expect(rate).toBeLessThanOrEqual(written / (secs - 0.005) + 1);
      } else {
        expect(rowsPerSec).toMatch(/^(-|[\d,]+)$/);
      }
    }
    // per-stream progress lines go to stderr, the summary alone to stdout
    expect(result.stderr).toContain('shop.customers: succeeded (1000 rows)');
    expect(result.stderr).toContain('shop.orders: succeeded (10000 rows)');
  });

  it('--json holds every stream with its counters, status and duration', async () => {
    const dst = await freshDestination('cli_json');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_json',
        src,
        dstUrl: dst.url,
        streams: ['name: shop.customers, sync_mode: full_refresh', 'name: shop.orders, sync_mode: full_refresh'],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson(result);
    expect(json.pipeline).toBe('cli_json');
    expect(json.status).toBe('succeeded');
    expect(Number.isInteger(json.runId)).toBe(true);
    expect(json.streams.map((s) => [s.stream, s.status, s.rowsRead, s.rowsWritten])).toEqual([
      ['shop.customers', 'succeeded', 1000, 1000],
      ['shop.orders', 'succeeded', 10000, 10000],
    ]);
    for (const s of json.streams) {
      expect(s.bytesRead).toBeGreaterThan(0);
      expect(s.durationMs).toBeGreaterThan(0);
      expect(s.durationMs).toBeLessThanOrEqual(json.durationMs);
      expect(s.error).toBeUndefined();
    }
    await expectEqualTables(src, 'shop.customers', dst, 'public.customers', 1000);
    await expectEqualTables(src, 'shop.orders', dst, 'public.orders', 10000);
  });

  it('one failing stream does not hide the others: exit 5, failed stream named, others loaded', async () => {
    const dst = await freshDestination('cli_partial');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_partial',
        src,
        dstUrl: dst.url,
        streams: [
          'name: shop.customers, sync_mode: full_refresh',
          'name: shop.no_such_table, sync_mode: full_refresh',
          'name: shop.orders, sync_mode: full_refresh',
        ],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(5);
    const json = parseJson(result);
    expect(json.status).toBe('partial');
    expect(json.streams.map((s) => [s.stream, s.status])).toEqual([
      ['shop.customers', 'succeeded'],
      ['shop.no_such_table', 'failed'],
      ['shop.orders', 'succeeded'],
    ]);
    const failed = json.streams[1];
    expect(failed?.error?.code).toBe('TABLE_NOT_FOUND');
    expect(failed?.error?.message).toContain('shop.no_such_table');
    expect(failed?.rowsWritten).toBe(0);
    await expectEqualTables(src, 'shop.customers', dst, 'public.customers', 1000);
    await expectEqualTables(src, 'shop.orders', dst, 'public.orders', 10000);
    const tables = await cluster.query(
      dst.name,
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'no_such_table'`,
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it('every stream failing on missing tables: exit 1 and status failed', async () => {
    const dst = await freshDestination('cli_allmissing');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_allmissing',
        src,
        dstUrl: dst.url,
        streams: ['name: shop.nope_a, sync_mode: full_refresh', 'name: shop.nope_b, sync_mode: full_refresh'],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(1);
    const json = parseJson(result);
    expect(json.status).toBe('failed');
    expect(json.streams.map((s) => [s.stream, s.status, s.error?.code])).toEqual([
      ['shop.nope_a', 'failed', 'TABLE_NOT_FOUND'],
      ['shop.nope_b', 'failed', 'TABLE_NOT_FOUND'],
    ]);
  });

  it('a destination authentication failure fails every stream: exit 3 and status failed', async () => {
    const dst = await freshDestination('cli_auth');
    const wrongUrl = cluster.url(dst.name, cluster.passwordUser.user, 'definitely-wrong');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_auth',
        src,
        dstUrl: wrongUrl,
        streams: ['name: shop.customers, sync_mode: full_refresh', 'name: shop.products, sync_mode: full_refresh'],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(3);
    const json = parseJson(result);
    expect(json.status).toBe('failed');
    expect(json.streams.map((s) => [s.stream, s.status, s.error?.code])).toEqual([
      ['shop.customers', 'failed', 'AUTH_FAILED'],
      ['shop.products', 'failed', 'AUTH_FAILED'],
    ]);
    expect(result.stdout + result.stderr).not.toContain('definitely-wrong');
  });

  it('columns: [id, email] loads exactly those columns with equal values', async () => {
    const dst = await freshDestination('cli_proj');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_proj',
        src,
        dstUrl: dst.url,
        streams: ['name: shop.customers, sync_mode: full_refresh, columns: [id, email]'],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result).streams.map((s) => [s.status, s.rowsWritten])).toEqual([['succeeded', 1000]]);
    expect(await columnNames(dst, 'public.customers')).toEqual(['id', 'email']);
    await expectEqualTables(src, 'shop.customers', dst, 'public.customers', 1000, ['id', 'email']);
  });

  it('an unknown projected column fails the stream, naming it and listing the table columns', async () => {
    const dst = await freshDestination('cli_projbad');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_projbad',
        src,
        dstUrl: dst.url,
        streams: ['name: shop.customers, sync_mode: full_refresh, columns: [id, e_mail]'],
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code).not.toBe(0);
    const json = parseJson(result);
    expect(json.status).toBe('failed');
    const error = json.streams[0]?.error;
    expect(error?.code).toBe('COLUMN_NOT_FOUND');
    expect(error?.message).toContain('e_mail');
    for (const column of ['id', 'name', 'email', 'country', 'vip', 'created_at'])
      expect(error?.message).toContain(`"${column}"`);
    const tables = await cluster.query(
      dst.name,
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'customers'`,
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it('parallelism: 2 with 3 streams loads all three', async () => {
    const dst = await freshDestination('cli_par');
    const file = writePipeline(
      pipelineYaml({
        name: 'cli_par',
        src,
        dstUrl: dst.url,
        streams: [
          'name: shop.customers, sync_mode: full_refresh',
          'name: shop.orders, sync_mode: full_refresh',
          'name: shop.products, sync_mode: full_refresh',
        ],
        extra: 'resources: { parallelism: 2 }\n',
      }),
    );
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson(result);
    expect(json.streams.map((s) => [s.stream, s.status, s.rowsRead, s.rowsWritten])).toEqual([
      ['shop.customers', 'succeeded', 1000, 1000],
      ['shop.orders', 'succeeded', 10000, 10000],
      ['shop.products', 'succeeded', 500, 500],
    ]);
    await expectEqualTables(src, 'shop.customers', dst, 'public.customers', 1000);
    await expectEqualTables(src, 'shop.orders', dst, 'public.orders', 10000);
    await expectEqualTables(src, 'shop.products', dst, 'public.products', 500);
  });

  it('check: OK for config, source and destination; a wrong destination database is exit 3 with a FAILED line', async () => {
    const dst = await freshDestination('cli_check');
    const good = await runCli([
      'check',
      writePipeline(
        pipelineYaml({
          name: 'cli_check',
          src,
          dstUrl: dst.url,
          streams: ['name: shop.customers, sync_mode: full_refresh'],
        }),
      ),
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^OK\s+config \S*pipeline\.yaml$/m);
    expect(good.stdout).toMatch(/^OK\s+source source-postgres: connect/m);
    expect(good.stdout).toMatch(/^OK\s+destination dest-postgres: connect/m);
    expect(good.stdout).not.toMatch(/FAILED/);

    const bad = await runCli([
      'check',
      writePipeline(
        pipelineYaml({
          name: 'cli_check',
          src,
          dstUrl: cluster.url('no_such_database_xyz'),
          streams: ['name: shop.customers, sync_mode: full_refresh'],
        }),
      ),
    ]);
    expect(bad.code, bad.stdout + bad.stderr).toBe(3);
    expect(bad.stdout).toMatch(/^OK\s+config /m);
    expect(bad.stdout).toMatch(/^OK\s+source source-postgres: connect/m);
    const failed = bad.stdout.split('\n').filter((l) => l.startsWith('FAILED'));
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const line of failed) expect(line).toMatch(/^FAILED\s+destination dest-postgres: /);
    expect(failed.join('\n')).toContain('no_such_database_xyz');
  });

  it('the state DB is <pipeline dir>/.rapidbyte/state.db by default, and state.connection relative to the file', async () => {
    const dst = await freshDestination('cli_state');
    const streams = ['name: shop.products, sync_mode: full_refresh'];
    // run from an unrelated working directory: paths resolve against the pipeline file, not the cwd
    const cwd = mkdtempSync(join(tmpdir(), 'rb-e2e-cwd-'));
    const byDefault = writePipeline(pipelineYaml({ name: 'cli_state', src, dstUrl: dst.url, streams }));
    const first = await runCli(['run', byDefault], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dirname(byDefault), '.rapidbyte', 'state.db'))).toBe(true);

    const custom = writePipeline(
      pipelineYaml({
        name: 'cli_state',
        src,
        dstUrl: dst.url,
        streams,
        extra: 'state: { backend: sqlite, connection: history/runs.sqlite }\n',
      }),
    );
    const second = await runCli(['run', custom], { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(existsSync(join(dirname(custom), 'history', 'runs.sqlite'))).toBe(true);
    expect(existsSync(join(dirname(custom), '.rapidbyte'))).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a second concurrent run of the same pipeline is refused; after the first ends a new run works', async () => {
    const dst = await freshDestination('cli_lock');
    const file = writePipeline(
      pipelineYaml({ name: 'cli_lock', src, dstUrl: dst.url, streams: ['name: public.big, sync_mode: full_refresh'] }),
    );
    // Hold the source table so the first run is provably still running while the second starts.
    const blocker = new pg.Client({ connectionString: src.url });
    await blocker.connect();
    let first: Promise<CliResult> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE public.big IN ACCESS EXCLUSIVE MODE');
      first = runCli(['run', '--json', file]);
      // the run holds the pipeline lock before its source connects; wait until the source waits on our lock
      await waitFor(
        'the first run to reach the source table',
        async () => {
          const waiting = await cluster.query(
            'postgres',
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'rapidbyte/cli_lock%' AND wait_event_type = 'Lock'`,
            [src.name],
          );
          return waiting.rows[0].n > 0 ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      const second = await runCli(['run', '--json', file], { timeoutMs: 120_000 });
      expect(second.code).not.toBe(0);
      expect(second.code).not.toBeNull();
      expect(second.stderr).toMatch(/pipeline "cli_lock" is already running/);
      expect(second.stderr).toMatch(/locked by pid \d+/);
    } finally {
      await blocker.query('COMMIT').catch(() => undefined);
      await blocker.end();
    }
    const firstResult = await first;
    expect(firstResult.code, firstResult.stderr).toBe(0);
    expect(parseJson(firstResult).streams.map((s) => [s.status, s.rowsWritten])).toEqual([['succeeded', 300000]]);

    const third = await runCli(['run', '--json', file]);
    expect(third.code, third.stderr).toBe(0);
    expect(parseJson(third).runId).toBeGreaterThan(parseJson(firstResult).runId);
    await expectEqualTables(src, 'public.big', dst, 'public.big', 300000);
  });
});

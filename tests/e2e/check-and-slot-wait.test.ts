// `check` fails per stream with what to do for streams a run cannot read (a missing table, an
// unlogged table or a view under CDC), the run's own error for an unlogged table is whole; the first
// CDC run says which open source transaction its slot creation waits for, and gives up after
// `cdc.slot_create_timeout_ms` naming it.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  runCli,
  spawnCli,
  testPg,
  waitFor,
  writePipeline,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();
const scope = databaseScope(cluster);

afterAll(async () => {
  await scope.dropAll();
});

function pipeline(o: {
  name: string;
  src: TestDatabase;
  dst: TestDatabase;
  streams: readonly string[];
  sourceExtra?: string;
}): string {
  return writePipeline(`version: "1.0"
pipeline: ${o.name}
source:
  use: source-postgres
  ${pgEndpoint(o.src.url, o.sourceExtra ?? '')}
  streams:
${o.streams.map((s) => `    - ${s}`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(o.dst.url)}
  write_mode: upsert
`);
}

function lineFor(stdout: string, stream: string): string {
  const lines = stdout.split('\n').filter((l) => l.includes(stream));
  expect(lines.length, `a check line for ${stream} in:\n${stdout}`).toBeGreaterThan(0);
  return lines.join('\n');
}

describe('check of streams a run cannot read', () => {
  it("check fails for a missing table, an unlogged table under CDC and a view under CDC, each with its fix; the unlogged table's run error is whole", async () => {
    const src = await scope.create(
      'check_streams_src',
      `CREATE TABLE public.good (id int PRIMARY KEY, v text);
CREATE UNLOGGED TABLE public.scratch (id int PRIMARY KEY, v text);
INSERT INTO public.scratch VALUES (1, 'a');
CREATE VIEW public.good_view AS SELECT * FROM public.good;`,
    );
    const dst = await scope.create('check_streams_dst');
    const file = pipeline({
      name: 'check_streams',
      src,
      dst,
      streams: [
        '{ name: public.good, sync_mode: cdc }',
        '{ name: public.no_such_cdc, sync_mode: cdc }',
        '{ name: public.no_such_copy, sync_mode: full_refresh }',
        '{ name: public.scratch, sync_mode: cdc }',
        '{ name: public.good_view, sync_mode: cdc }',
      ],
    });
    const check = await runCli(['check', file]);
    expect(check.code, check.stdout + check.stderr).not.toBe(0);
    expect(lineFor(check.stdout, 'public.good ')).toMatch(/^OK/m);
    expect(lineFor(check.stdout, 'public.good ')).not.toMatch(/^FAILED/m);
    for (const missing of ['public.no_such_cdc', 'public.no_such_copy']) {
      const line = lineFor(check.stdout, missing);
      expect(line).toMatch(/^FAILED/m);
      expect(line).toContain('does not exist');
    }
    const unlogged = lineFor(check.stdout, 'public.scratch');
    expect(unlogged).toMatch(/^FAILED/m);
    expect(unlogged).toContain('unlogged');
    expect(unlogged).toContain('ALTER TABLE "public"."scratch" SET LOGGED');
    const view = lineFor(check.stdout, 'public.good_view');
    expect(view).toMatch(/^FAILED/m);
    expect(view).toContain('view');
    expect(view).toContain('full_refresh');
    expect(view).not.toContain('REPLICA IDENTITY FULL');

    // the run of the unlogged table: refused before publishing, with the whole reason
    const only = pipeline({
      name: 'check_streams_run',
      src,
      dst,
      streams: ['{ name: public.scratch, sync_mode: cdc }'],
    });
    const run = await runCli(['run', '--json', only]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const error = parseJson<RunJson>(run).streams[0]?.error;
    expect(error?.code).toBe('CDC_UNLOGGED_TABLE');
    expect(error?.message).toContain('public.scratch');
    expect(error?.message).toContain('unlogged');
    expect(error?.message).toContain('ALTER TABLE "public"."scratch" SET LOGGED');
    expect(error?.message).toContain('full_refresh');
    const published = await cluster.query(src.name, `SELECT count(*)::int AS n FROM pg_publication_tables`);
    expect((published.rows[0] as { n: number }).n).toBe(0);
    // the application's own writes still work
    await cluster.query(
      src.name,
      `INSERT INTO scratch VALUES (2, 'b'); UPDATE scratch SET v = 'c' WHERE id = 1; DELETE FROM scratch WHERE id = 2;`,
    );
  });
});

describe('slot creation behind an open transaction', () => {
  it('the first CDC run says which open transaction its slot creation waits for, and fails SLOT_CREATE_TIMEOUT naming it', async () => {
    const src = await scope.create(
      'slot_wait_src',
      `CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t VALUES (1, 'a');`,
    );
    const dst = await scope.create('slot_wait_dst');
    const blocker = new pg.Client({ connectionString: src.url, application_name: 'rb_test_blocker' });
    await blocker.connect();
    let blockerPid: number;
    try {
      await blocker.query('BEGIN');
      blockerPid = Number(
        (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, txid_current()')).rows[0]?.pid,
      );
      const file = pipeline({
        name: 'slot_wait',
        src,
        dst,
        streams: ['{ name: public.t, sync_mode: cdc }'],
        sourceExtra: ', cdc: { slot_create_timeout_ms: 4000 }',
      });
      const cli = spawnCli(['run', '--json', file], { timeoutMs: 120_000 });
      // the wait is reported while it lasts
      await waitFor(
        'a warning naming the blocking transaction',
        async () => (cli.stderrSoFar().includes(`pid ${blockerPid}`) ? true : undefined),
        { cli, timeoutMs: 60_000 },
      );
      expect(cli.stderrSoFar()).toContain('rb_test_blocker');
      const result = await cli.exited;
      expect(result.code, result.stdout + result.stderr).not.toBe(0);
      const error = parseJson<RunJson>(result).streams[0]?.error;
      expect(error?.code).toBe('SLOT_CREATE_TIMEOUT');
      expect(error?.kind).toBe('permanent');
      expect(error?.message).toContain(`pid ${blockerPid}`);
      expect(error?.message).toContain('slot_create_timeout_ms');
      const slots = await cluster.query(
        'postgres',
        `SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'rapidbyte_slot_wait'`,
      );
      expect((slots.rows[0] as { n: number }).n).toBe(0);
      await blocker.query('COMMIT');

      // once the transaction ended, the same pipeline runs
      const ok = await runCli(['run', '--json', file]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      await cluster.query(src.name, `INSERT INTO t VALUES (2, 'b'); UPDATE t SET v = 'z' WHERE id = 1;`);
      const again = await runCli(['run', '--json', file]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const diff = await cluster.compareTables(src.url, 't', dst.url, 't');
      expect(diff.onlyInSource).toEqual([]);
      expect(diff.onlyInDestination).toEqual([]);
    } finally {
      await blocker.end().catch(() => undefined);
    }
  });
});

// `rapidbyte serve` as a child process against the shared cluster: schedules that never overlap,
// queue_one, pause/resume that outlive a restart, kill -9 mid-run, depends_on, and the HTTP API.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  databaseScope,
  expectTablesEqual,
  runCli,
  pgPipeline,
  shuffledBigTableSql,
  testPg,
  waitFor,
  type PipelineDoc,
  type TestDatabase,
} from '../support/e2e.js';
import { SERVE_TOKEN, api, projectDir, serve, stopServe, type Serving } from '../support/serve-cli.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(() => scope.dropAll());

const TOKEN = SERVE_TOKEN;
const TABLE = 'public.big';

interface RunView {
  runId: number;
  pipeline: string;
  status: string;
  startedAt: string;
  finishedAt?: string;
}
interface TickView {
  pipeline: string;
  tickAt: string;
  outcome: string;
  reason?: string;
  runId?: number;
}

/** A destination table whose CHECK sleeps `seconds` every 5,000 ids: a run of `rows` rows takes about rows/5000 × seconds. */
function slowDestinationDdl(seconds: number): string {
  return `
    CREATE FUNCTION public.rb_serve_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF id % 5000 = 0 THEN PERFORM pg_sleep(${seconds}); END IF;
      RETURN true;
    END $$;
    CREATE TABLE ${TABLE} (id bigint NOT NULL, cur bigint NOT NULL, hash text NOT NULL, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL,
      PRIMARY KEY (id), CONSTRAINT paced CHECK (public.rb_serve_pace(id)));`;
}

function pipelineDoc(name: string, src: TestDatabase, dst: TestDatabase, extra: Record<string, unknown>): PipelineDoc {
  const doc = pgPipeline({
    name,
    src,
    dst,
    streams: [{ name: TABLE, sync_mode: 'full_refresh' }],
    writeMode: 'upsert',
    destination: { primary_key: ['id'] },
    resources: { checkpoint_interval_rows: 10_000, batch_rows: 5000 },
  });
  return { ...doc, ...extra };
}

const runsOf = async (s: Serving, pipeline: string): Promise<RunView[]> =>
  (await api<RunView[]>(s, `/runs?pipeline=${pipeline}&limit=100`)).body;
const ticksOf = async (s: Serving, pipeline: string): Promise<TickView[]> =>
  (await api<TickView[]>(s, `/ticks?pipeline=${pipeline}&limit=500`)).body;

/** Runs in start order, each one starting after the previous one finished. */
function expectNoOverlap(runs: readonly RunView[]): void {
  const ordered = [...runs].sort((a, b) => a.runId - b.runId);
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1] as RunView;
    expect(previous.finishedAt, `run ${previous.runId} finished`).toBeDefined();
    expect(Date.parse((ordered[i] as RunView).startedAt)).toBeGreaterThanOrEqual(
      Date.parse(previous.finishedAt as string),
    );
  }
}

describe('rapidbyte serve', () => {
  it('an every-2s pipeline whose run takes longer than 2 s runs again and again without ever overlapping (overlap: skip)', async () => {
    const src = await scope.create('serve_skip_src', shuffledBigTableSql(TABLE, 30_000));
    const dst = await scope.create('serve_skip_dst', slowDestinationDdl(0.5));
    const sys = await scope.create('serve_skip_sys');
    const s = await serve(projectDir([pipelineDoc('slow', src, dst, { schedule: { every: '2s' } })]), sys);
    try {
      const runs = await waitFor(
        '3 finished runs',
        async () => {
          const r = (await runsOf(s, 'slow')).filter((x) => x.status === 'succeeded');
          return r.length >= 3 ? r : undefined;
        },
        { cli: s.cli, timeoutMs: 120_000, intervalMs: 250 },
      );
      for (const r of runs) expect(Date.parse(r.finishedAt as string) - Date.parse(r.startedAt)).toBeGreaterThan(2000);
      expectNoOverlap(await runsOf(s, 'slow'));
      const ticks = await ticksOf(s, 'slow');
      expect(ticks.filter((t) => t.outcome === 'skipped-overlap').length).toBeGreaterThan(0);
      expect(ticks.find((t) => t.outcome === 'skipped-overlap')?.reason).toMatch(
        /run \d+ is still running \(overlap: skip\)/,
      );
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    await expectTablesEqual(src, TABLE, dst, TABLE);
  });

  it('overlap: queue_one keeps exactly one tick waiting behind the running run and starts it when the run ends', async () => {
    const src = await scope.create('serve_queue_src', shuffledBigTableSql(TABLE, 30_000));
    const dst = await scope.create('serve_queue_dst', slowDestinationDdl(0.5));
    const sys = await scope.create('serve_queue_sys');
    const s = await serve(
      projectDir([pipelineDoc('queued', src, dst, { schedule: { every: '2s', overlap: 'queue_one' } })]),
      sys,
    );
    let ticks: TickView[];
    try {
      ticks = await waitFor(
        'two queued ticks to run',
        async () => {
          const t = await ticksOf(s, 'queued');
          return t.filter((x) => x.outcome === 'fired' && /waited for run \d+ to end/.test(x.reason ?? '')).length >= 2
            ? t
            : undefined;
        },
        { cli: s.cli, timeoutMs: 150_000, intervalMs: 250 },
      );
      expectNoOverlap(await runsOf(s, 'queued'));
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    const chronological = [...ticks].reverse();
    const show = chronological.map((t) => `${t.tickAt} ${t.outcome} ${t.reason ?? ''}`).join('\n');
    // a queued tick's `fired` row is written when its run begins, which may come after the next tick
    // was queued behind that (starting) run: so check that queued ticks run once each, in order
    const queued = chronological.filter((t) => t.outcome === 'queued');
    const runIds = queued.slice(0, -1).map((q) => {
      const fired = chronological.filter((t) => t.outcome === 'fired' && t.tickAt === q.tickAt);
      expect(fired, `the queued tick ${q.tickAt} ran once:\n${show}`).toHaveLength(1);
      expect(fired[0]?.reason).toMatch(/^waited for run \d+ to end \(overlap: queue_one\)$/);
      return fired[0]?.runId as number;
    });
    expect(runIds).toEqual([...runIds].sort((a, b) => a - b));
    expect(new Set(runIds).size).toBe(runIds.length);
    expect(
      chronological.some((t) => t.outcome === 'skipped-overlap' && /a tick already waits/.test(t.reason ?? '')),
    ).toBe(true);
  });

  it('pause stops the ticks (recorded skipped-paused), survives a serve restart, and resume restarts them; the API refuses control calls without the token', async () => {
    const src = await scope.create('serve_pause_src', shuffledBigTableSql(TABLE, 1000));
    const dst = await scope.create('serve_pause_dst');
    const sys = await scope.create('serve_pause_sys');
    const dir = projectDir([pipelineDoc('paused', src, dst, { schedule: { every: '2s' } })]);
    let s = await serve(dir, sys);
    try {
      expect((await api(s, '/health')).status).toBe(200);
      const openapi = await api<{ openapi: string; paths: Record<string, unknown> }>(s, '/openapi.json');
      expect(openapi.body.openapi).toBe('3.1.0');
      expect(Object.keys(openapi.body.paths)).toContain('/pipelines/{pipeline}/pause');
      await waitFor(
        'a scheduled run',
        async () => ((await runsOf(s, 'paused')).some((r) => r.status === 'succeeded') ? true : undefined),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );

      const refused = await api<{ code: string }>(s, '/pipelines/paused/pause', { method: 'POST' });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('SERVE_UNAUTHORIZED');
      expect((await api(s, '/pipelines/paused/pause', { method: 'POST', token: 'wrong' })).status).toBe(401);
      expect((await api(s, '/pipelines/paused/trigger', { method: 'POST' })).status).toBe(401);
      expect(
        (await api<{ paused: boolean }>(s, '/pipelines/paused/pause', { method: 'POST', token: TOKEN })).body.paused,
      ).toBe(true);

      const pausedTicks = async (): Promise<TickView[]> =>
        (await ticksOf(s, 'paused')).filter((t) => t.outcome === 'skipped-paused');
      await waitFor('a skipped-paused tick', async () => ((await pausedTicks()).length > 0 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      // a run that began before the pause may still end: wait until nothing runs, then count
      await waitFor(
        'no run in progress',
        async () => ((await runsOf(s, 'paused')).every((r) => r.finishedAt !== undefined) ? true : undefined),
        { cli: s.cli, timeoutMs: 30_000 },
      );
      const before = (await runsOf(s, 'paused')).length;
      expect((await pausedTicks())[0]?.reason).toMatch(/paused/);
      const dashboard = await fetch(`${s.url}/`);
      expect(dashboard.headers.get('content-type')).toContain('text/html');
      const html = await dashboard.text();
      expect(html).toContain('<h2>paused <span class="paused">paused</span></h2>');
      expect(html).toMatch(/<rect [^>]*fill="#2e9d4a"><title>run \d+ succeeded/);
      const pipelines = (await api<{ pipeline: string; paused: boolean; nextFireAt: string | null }[]>(s, '/pipelines'))
        .body;
      expect(pipelines).toMatchObject([{ pipeline: 'paused', paused: true }]);
      expect(pipelines[0]?.nextFireAt).not.toBeNull();

      // a trigger runs even while paused, and is recorded
      const triggered = await api<{ status: string; runId: number }>(s, '/pipelines/paused/trigger', {
        method: 'POST',
        token: TOKEN,
        body: { wait: true },
      });
      expect(triggered.status).toBe(200);
      expect(triggered.body.status).toBe('succeeded');
      expect((await runsOf(s, 'paused')).find((r) => r.runId === triggered.body.runId)?.status).toBe('succeeded');
      expect(
        (await ticksOf(s, 'paused')).some((t) => t.outcome === 'triggered' && t.runId === triggered.body.runId),
      ).toBe(true);

      expect(await stopServe(s)).toBe(0);
      s = await serve(dir, sys);
      const skippedBefore = (await pausedTicks()).length;
      await waitFor(
        'a skipped-paused tick after the restart',
        async () => ((await pausedTicks()).length > skippedBefore ? true : undefined),
        { cli: s.cli, timeoutMs: 30_000, intervalMs: 250 },
      );
      expect((await runsOf(s, 'paused')).length).toBe(before + 1);

      expect(
        (await api<{ paused: boolean }>(s, '/pipelines/paused/resume', { method: 'POST', token: TOKEN })).body.paused,
      ).toBe(false);
      await waitFor(
        'a run after resume',
        async () =>
          (await runsOf(s, 'paused')).filter((r) => r.status === 'succeeded').length > before + 1 ? true : undefined,
        { cli: s.cli, timeoutMs: 30_000, intervalMs: 250 },
      );
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    await expectTablesEqual(src, TABLE, dst, TABLE);
  });

  it('kill -9 of serve mid-run: after the restart the run is closed interrupted and the next run resumes to a destination equal to the source', async () => {
    const src = await scope.create('serve_kill_src', shuffledBigTableSql(TABLE, 60_000));
    const dst = await scope.create('serve_kill_dst', slowDestinationDdl(0.3));
    const sys = await scope.create('serve_kill_sys');
    const dir = projectDir([pipelineDoc('killed', src, dst, { schedule: { every: '2s' } })]);
    let s = await serve(dir, sys);
    const first = await waitFor(
      'a run with a committed checkpoint',
      async () => {
        const running = (await runsOf(s, 'killed')).find((r) => r.status === 'running');
        if (running === undefined) return undefined;
        const committed = (await cluster.query(dst.name, `SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0] as {
          n: number;
        };
        return committed.n > 0 ? running : undefined;
      },
      { cli: s.cli, timeoutMs: 120_000, intervalMs: 100 },
    );
    await s.cli.kill9();
    s = await serve(dir, sys);
    try {
      const runs = await waitFor(
        'the killed run closed and a later run succeeded',
        async () => {
          const r = await runsOf(s, 'killed');
          return r.find((x) => x.runId === first.runId)?.status === 'interrupted' &&
            r.some((x) => x.runId > first.runId && x.status === 'succeeded')
            ? r
            : undefined;
        },
        { cli: s.cli, timeoutMs: 180_000, intervalMs: 250 },
      );
      expectNoOverlap(runs.filter((r) => r.runId > first.runId));
      // the killed tick's durable workflow is recovered at launch: it resumes the pipeline, unless a
      // catch-up or a later tick got there first (then it is recorded as not run, never run beside it)
      const ticks = await ticksOf(s, 'killed');
      const resumed = ticks.find(
        (t) => t.runId !== undefined && t.runId > first.runId && ['fired', 'caught-up'].includes(t.outcome),
      );
      expect(resumed).toBeDefined();
      for (const t of ticks.filter((x) => /^recovered workflow/.test(x.reason ?? '')))
        expect(t.outcome).toBe('skipped-overlap');
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    await expectTablesEqual(src, TABLE, dst, TABLE);
  });

  it('depends_on: B runs only after A succeeded; when A fails, B is skipped with the reason recorded', async () => {
    const src = await scope.create('serve_dep_src', shuffledBigTableSql(TABLE, 1000));
    const mid = await scope.create('serve_dep_mid');
    const dst = await scope.create('serve_dep_dst');
    const sys = await scope.create('serve_dep_sys');
    const a = pipelineDoc('upstream_a', src, mid, { schedule: { every: '3s' } });
    const b = pipelineDoc('downstream_b', mid, dst, { depends_on: [{ pipeline: 'upstream_a' }] });
    const s = await serve(projectDir([a, b]), sys);
    try {
      const bRun = await waitFor(
        'a run of B',
        async () => (await runsOf(s, 'downstream_b')).find((r) => r.status === 'succeeded'),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      const aRuns = await runsOf(s, 'upstream_a');
      const before = aRuns.filter(
        (r) => r.status === 'succeeded' && Date.parse(r.finishedAt as string) <= Date.parse(bRun.startedAt),
      );
      expect(before.length).toBeGreaterThan(0);
      const bTick = (await ticksOf(s, 'downstream_b')).find((t) => t.runId === bRun.runId);
      expect(bTick?.reason).toMatch(/^after upstream_a run \d+ ended succeeded$/);
      await expectTablesEqual(src, TABLE, dst, TABLE);

      // A now fails (its source table is gone): B is skipped, naming A's run
      await cluster.psql(src.name, `ALTER TABLE ${TABLE} RENAME TO gone`);
      const skipped = await waitFor(
        'B skipped',
        async () => (await ticksOf(s, 'downstream_b')).find((t) => t.outcome === 'skipped-upstream'),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(skipped.reason).toMatch(/^upstream upstream_a run \d+ ended failed \(depends_on on: success\)$/);
      const bRuns = await runsOf(s, 'downstream_b');
      expect(bRuns.every((r) => Date.parse(r.startedAt) < Date.parse(skipped.tickAt) + 60_000)).toBe(true);
      expect(bRuns.filter((r) => r.runId > bRun.runId).every((r) => r.status === 'succeeded')).toBe(true);
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
  });
});

describe('rapidbyte serve: CDC followers', () => {
  afterAll(async () => {});

  it('a CDC pipeline is supervised, never scheduled: it follows the source, pause drains it, resume starts it again, SIGTERM drains it', async () => {
    const src = await scope.create(
      'serve_cdc_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO public.items SELECT g, 'n' || g FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('serve_cdc_dst');
    const sys = await scope.create('serve_cdc_sys');
    const doc = pgPipeline({
      name: 'follower',
      src,
      dst,
      streams: [{ name: 'public.items', sync_mode: 'cdc' }],
      writeMode: 'upsert',
      resources: { batch_rows: 1000, max_retries: 0 },
    });
    const s = await serve(projectDir([doc]), sys);
    const equal = async (): Promise<true | undefined> => {
      const diff = await cluster.compareTables(src.url, 'public.items', dst.url, 'public.items').catch(() => undefined);
      return diff &&
        diff.onlyInSource.length === 0 &&
        diff.onlyInDestination.length === 0 &&
        diff.sourceRows === diff.destinationRows
        ? true
        : undefined;
    };
    try {
      await waitFor('the snapshot', equal, { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 });
      // the application's own writes still work, and stream through
      await cluster.psql(
        src.name,
        `INSERT INTO public.items VALUES (101, 'new'); UPDATE public.items SET name = 'changed' WHERE id = 5; DELETE FROM public.items WHERE id = 7;`,
      );
      await waitFor(
        'the changes',
        async () =>
          (await equal()) &&
          (await cluster.query(dst.name, 'SELECT name FROM public.items WHERE id = 5')).rows[0]?.name === 'changed'
            ? true
            : undefined,
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      const first = await waitFor(
        'the follower run',
        async () => (await runsOf(s, 'follower')).find((r) => r.status === 'running'),
        { cli: s.cli, timeoutMs: 30_000 },
      );

      expect((await api(s, '/pipelines/follower/pause', { method: 'POST', token: TOKEN })).status).toBe(200);
      const drained = await waitFor(
        'the follower to drain',
        async () => (await runsOf(s, 'follower')).find((r) => r.runId === first.runId && r.finishedAt !== undefined),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(drained.status).toBe('succeeded');
      await cluster.psql(src.name, `INSERT INTO public.items VALUES (102, 'while paused')`);
      expect((await api(s, '/pipelines/follower/resume', { method: 'POST', token: TOKEN })).status).toBe(200);
      await waitFor('the row written while paused', equal, { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 });
      const ticks = await ticksOf(s, 'follower');
      expect(ticks.filter((t) => t.outcome === 'fired').map((t) => t.reason)).toEqual([
        'CDC follower restarted (start 2)',
        'CDC follower started',
      ]);

      // the follower fails (its destination connection is killed, no retries): it is restarted and catches up
      const second = await waitFor(
        'the resumed follower run',
        async () => (await runsOf(s, 'follower')).find((r) => r.status === 'running' && r.runId > first.runId),
        { cli: s.cli, timeoutMs: 30_000 },
      );
      await cluster.query(
        'postgres',
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'rapidbyte/follower'`,
        [dst.name],
      );
      await waitFor(
        'the follower restarted after its failure',
        async () => (s.cli.stderrSoFar().includes('CDC follower ended failed') ? true : undefined),
        { cli: s.cli, timeoutMs: 60_000 },
      );
      await cluster.psql(src.name, `INSERT INTO public.items VALUES (103, 'after the failure')`);
      await waitFor('the row written after the failure', equal, { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 });
      expect((await runsOf(s, 'follower')).find((r) => r.runId === second.runId)?.status).toBe('failed');
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
  });
});

describe('rapidbyte serve: start, reload and the control commands', () => {
  it('validates every pipeline at start and reports every error at once (exit 2), before touching the system database', async () => {
    const src = await scope.create('serve_bad_src');
    const a = pipelineDoc('bad_a', src, src, { schedule: { every: '5 minutes' } });
    const b = pipelineDoc('bad_b', src, src, { schedule: { cron: '61 * * * *' }, depends_on: [{ pipeline: 'nope' }] });
    const result = await runCli(['serve', projectDir([a, b]), '--system-database', 'postgres://127.0.0.1:1/none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad_a\.yaml.*schedule\.every/s);
    expect(result.stderr).toMatch(/bad_b\.yaml.*minute field '61'/s);
    expect(result.stderr).toMatch(/nope/);
  });

  it('refuses to start without a system database, or on a non-loopback address without a token', async () => {
    const src = await scope.create('serve_refuse_src');
    const dir = projectDir([pipelineDoc('ok', src, src, { schedule: { every: '1h' } })]);
    const noDb = await runCli(['serve', dir], { env: { RAPIDBYTE_SYSTEM_DATABASE_URL: '' } });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain(
      'serve needs a PostgreSQL system database for its durable workflows: pass --system-database postgres://… or set RAPIDBYTE_SYSTEM_DATABASE_URL',
    );
    const open = await runCli(['serve', dir, '--system-database', src.url, '--listen', '0.0.0.0:0'], {
      env: { RAPIDBYTE_API_TOKEN: '' },
    });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(
      'refusing to listen on 0.0.0.0 without a token: set RAPIDBYTE_API_TOKEN, or listen on 127.0.0.1',
    );
  });

  it('trigger --wait, pause, resume and stop from the command line; ticks lists the record; SIGHUP reloads without dropping the running run', async () => {
    const src = await scope.create('serve_cli_src', shuffledBigTableSql(TABLE, 40_000));
    const dst = await scope.create('serve_cli_dst', slowDestinationDdl(0.5));
    const sys = await scope.create('serve_cli_sys');
    const dir = projectDir([pipelineDoc('cli', src, dst, { schedule: { every: '1h' } })]);
    const s = await serve(dir, sys);
    const ctl = (args: string[], token: string | undefined = TOKEN) =>
      runCli([...args, '--server', s.url], { env: { RAPIDBYTE_API_TOKEN: token ?? '' } });
    try {
      const unauthorized = await ctl(['pause', 'cli'], 'wrong');
      expect(unauthorized.code).toBe(2);
      expect(unauthorized.stderr).toContain('missing or wrong bearer token');
      expect((await ctl(['pause', 'nope'])).stderr).toContain("no pipeline named 'nope'");
      expect((await ctl(['pause', 'cli'])).stdout).toContain('cli: paused');
      expect((await ctl(['resume', 'cli'])).stdout).toContain('cli: resumed');

      // a slow run; SIGHUP with a new schedule while it runs: the run goes on and ends succeeded
      const started = await ctl(['trigger', 'cli']);
      expect(started.code).toBe(0);
      const running = await waitFor(
        'the triggered run',
        async () => (await runsOf(s, 'cli')).find((r) => r.status === 'running'),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 100 },
      );
      const file = join(dir, 'cli.yaml');
      const doc = parse(readFileSync(file, 'utf8')) as PipelineDoc;
      writeFileSync(file, stringify({ ...doc, schedule: { every: '2s' } }));
      process.kill(s.cli.pid, 'SIGHUP');
      await waitFor('the reload', async () => (s.cli.stderrSoFar().includes('reloaded: cli') ? true : undefined), {
        cli: s.cli,
        timeoutMs: 30_000,
      });
      await waitFor(
        'a tick of the new schedule skipped behind the run',
        async () => ((await ticksOf(s, 'cli')).some((t) => t.outcome === 'skipped-overlap') ? true : undefined),
        { cli: s.cli, timeoutMs: 30_000, intervalMs: 250 },
      );
      const finished = await waitFor(
        'the triggered run to end',
        async () => (await runsOf(s, 'cli')).find((r) => r.runId === running.runId && r.finishedAt !== undefined),
        { cli: s.cli, timeoutMs: 120_000, intervalMs: 250 },
      );
      expect(finished.status).toBe('succeeded');

      // a broken config is refused on reload; the running config stays
      writeFileSync(file, stringify({ ...doc, schedule: { every: 'often' } }));
      process.kill(s.cli.pid, 'SIGHUP');
      await waitFor(
        'the refused reload',
        async () => (s.cli.stderrSoFar().includes('reload refused') ? true : undefined),
        { cli: s.cli, timeoutMs: 30_000 },
      );
      writeFileSync(file, stringify({ ...doc, schedule: { every: '1h' } }));
      expect((await ctl(['reload'])).stdout).toContain('reloaded: cli');

      // stop drains a run to its last checkpoint: it ends cancelled
      await ctl(['pause', 'cli']);
      await waitFor(
        'no run in progress',
        async () => ((await runsOf(s, 'cli')).every((r) => r.finishedAt !== undefined) ? true : undefined),
        { cli: s.cli, timeoutMs: 120_000, intervalMs: 250 },
      );
      expect((await ctl(['trigger', 'cli', '--full-refresh'])).code).toBe(0);
      const toStop = await waitFor(
        'a run to stop',
        async () => (await runsOf(s, 'cli')).find((r) => r.status === 'running'),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 100 },
      );
      const stopped = await ctl(['stop', String(toStop.runId)]);
      expect(stopped.stdout).toContain(`run ${toStop.runId} of cli: stopping`);
      const ended = await waitFor(
        'the stopped run to end',
        async () => (await runsOf(s, 'cli')).find((r) => r.runId === toStop.runId && r.finishedAt !== undefined),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(ended.status).toBe('cancelled');
      expect((await ctl(['stop', String(toStop.runId)])).stderr).toContain(
        `run ${toStop.runId} is not running in this serve process`,
      );

      const waited = await ctl(['trigger', 'cli', '--wait', '--json']);
      expect(waited.code).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ pipeline: 'cli', status: 'succeeded' });
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    await expectTablesEqual(src, TABLE, dst, TABLE);
    const ticks = await runCli(['ticks', '--state', join(dir, '.rapidbyte/state.db'), '--pipeline', 'cli', '--json']);
    const outcomes = (JSON.parse(ticks.stdout) as TickView[]).map((t) => t.outcome);
    expect(outcomes).toContain('triggered');
    expect(outcomes).toContain('skipped-overlap');
  });
});

// `rapidbyte serve`'s alerts and metrics, with serve as a child process against the shared cluster:
// a slot lag alert fires once and resolves once (also across a serve restart while it fires),
// reaching a webhook receiver through the outbox; `GET /metrics` shows a stream's row counter
// growing while its run goes and ending at the rows written.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  expectTablesEqual,
  pgPipeline,
  runCli,
  shuffledBigTableSql,
  writePipelineDoc,
  testPg,
  waitFor,
} from '../support/e2e.js';
import { promSample, api, projectDir, serve, stopServe, type Serving } from '../support/serve-cli.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const cluster = testPg();
const scope = databaseScope(cluster);
const TOKEN = 'alerts-test-token';
const SECRET = 'whsec-alerts-9Tq2';
const ENV = { WEBHOOK_SECRET: SECRET };

afterAll(async () => {
  await scope.dropAll();
});

interface EventJson {
  id: number;
  type: string;
  payload: { alert?: string; state?: string; value?: number; threshold?: number; message?: string };
  deliveries: { status: string }[];
}

async function eventsOf(file: string, types: string): Promise<EventJson[]> {
  const result = await runCli(['events', 'list', '--json', '--pipeline', file, '--type', types], { env: ENV });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as EventJson[];
}

const metricsText = async (s: Serving): Promise<string> => {
  const r = await api<string>(s, '/metrics');
  expect(r.status).toBe(200);
  expect(r.contentType).toContain('text/plain');
  return r.body;
};

/** Waits until serve evaluated the pipeline's alerts `n` more times (the checks counter), so "nothing moved" is observed, not slept for. */
async function moreChecks(s: Serving, pipeline: string, n: number): Promise<void> {
  const series = `rapidbyte_alert_checks_total{pipeline="${pipeline}"}`;
  const start = promSample(await metricsText(s), series) ?? 0;
  await waitFor(
    `${n} more alert checks`,
    async () => ((promSample(await metricsText(s), series) ?? 0) >= start + n ? true : undefined),
    { cli: s.cli, timeoutMs: 60_000, intervalMs: 200 },
  );
}

describe('rapidbyte serve: alerts', () => {
  it('a slot lag alert fires once while the follower is paused and the source is written, survives a restart without firing again, and resolves once after catch-up', async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    const src = await scope.create(
      'alerts_lag_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, pad text NOT NULL);
       INSERT INTO public.items SELECT g, repeat('x', 100) FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('alerts_lag_dst');
    const sys = await scope.create('alerts_lag_sys');
    const doc = {
      ...pgPipeline({
        name: 'lagging',
        src,
        dst,
        streams: [{ name: 'public.items', sync_mode: 'cdc' }],
        writeMode: 'upsert',
        resources: { batch_rows: 5000 },
      }),
      alerts: { slot_lag_bytes: '4mb', check_every: '1s' },
      notifications: [
        {
          url: receiver.url,
          events: ['cdc.slot_lag_exceeded', 'cdc.slot_lag_resolved'],
          secret: '${WEBHOOK_SECRET}',
        },
      ],
    };
    const dir = projectDir([doc]);
    const file = join(dir, 'lagging.yaml');
    const lagTypes = 'cdc.slot_lag_exceeded,cdc.slot_lag_resolved';
    const equal = async (): Promise<true | undefined> => {
      const diff = await cluster.compareTables(src.url, 'public.items', dst.url, 'public.items').catch(() => undefined);
      return diff && diff.onlyInSource.length === 0 && diff.onlyInDestination.length === 0 ? true : undefined;
    };
    let s = await serve(dir, sys, { token: TOKEN, env: ENV });
    try {
      await waitFor('the snapshot', equal, { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 });
      await moreChecks(s, 'lagging', 2);
      expect(await eventsOf(file, lagTypes)).toEqual([]);

      // paused: the slot stops advancing while the source is written (~12 MB of WAL)
      expect((await api(s, '/pipelines/lagging/pause', { method: 'POST', token: TOKEN })).status).toBe(200);
      await waitFor(
        'the follower to drain',
        async () => ((await api<{ running: unknown }[]>(s, '/pipelines')).body[0]?.running === null ? true : undefined),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      await cluster.psql(
        src.name,
        `INSERT INTO public.items SELECT g, repeat(md5(g::text), 8) FROM generate_series(101, 40100) g;`,
      );
      const fired = await waitFor(
        'the slot lag alert to fire',
        async () => {
          const events = await eventsOf(file, lagTypes);
          return events.length > 0 ? events : undefined;
        },
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(fired.map((e) => e.type)).toEqual(['cdc.slot_lag_exceeded']);
      expect(fired[0]?.payload).toMatchObject({ alert: 'slot_lag_bytes', state: 'firing', threshold: 4 * 1024 * 1024 });
      expect(fired[0]?.payload.value).toBeGreaterThanOrEqual(4 * 1024 * 1024);
      expect(fired[0]?.payload.message).toMatch(/replication slot "rapidbyte_lagging" retains .* MiB of WAL/);
      const lagMetric = promSample(
        await metricsText(s),
        'rapidbyte_cdc_slot_lag_bytes{pipeline="lagging",slot="rapidbyte_lagging"}',
      );
      expect(lagMetric).toBeGreaterThanOrEqual(4 * 1024 * 1024);
      expect(
        promSample(await metricsText(s), 'rapidbyte_alert_firing{pipeline="lagging",alert="slot_lag_bytes"}'),
      ).toBe(1);
      // still over the threshold, checked again and again: no second event
      await moreChecks(s, 'lagging', 3);
      expect((await eventsOf(file, lagTypes)).map((e) => e.type)).toEqual(['cdc.slot_lag_exceeded']);

      // a restart while it fires (still paused): the stored state says firing, so nothing fires again
      expect(await stopServe(s)).toBe(0);
      s = await serve(dir, sys, { token: TOKEN, env: ENV });
      await moreChecks(s, 'lagging', 3);
      expect((await eventsOf(file, lagTypes)).map((e) => e.type)).toEqual(['cdc.slot_lag_exceeded']);
      expect(
        promSample(await metricsText(s), 'rapidbyte_alert_firing{pipeline="lagging",alert="slot_lag_bytes"}'),
      ).toBe(1);

      // resumed: the follower catches up, the slot's confirmed position follows, the alert resolves once
      expect((await api(s, '/pipelines/lagging/resume', { method: 'POST', token: TOKEN })).status).toBe(200);
      await waitFor('the catch-up', equal, { cli: s.cli, timeoutMs: 120_000, intervalMs: 250 });
      const resolved = await waitFor(
        'the alert to resolve',
        async () => {
          const events = await eventsOf(file, lagTypes);
          return events.length > 1 ? events : undefined;
        },
        { cli: s.cli, timeoutMs: 90_000, intervalMs: 250 },
      );
      expect(resolved.map((e) => e.type)).toEqual(['cdc.slot_lag_exceeded', 'cdc.slot_lag_resolved']);
      expect(resolved[1]?.payload).toMatchObject({ alert: 'slot_lag_bytes', state: 'resolved' });
      expect(resolved[1]?.payload.value).toBeLessThan(2 * 1024 * 1024);
      await moreChecks(s, 'lagging', 3);
      expect((await eventsOf(file, lagTypes)).map((e) => e.type)).toEqual([
        'cdc.slot_lag_exceeded',
        'cdc.slot_lag_resolved',
      ]);

      // the outbox delivered both, signed, once each
      await waitFor('both deliveries', async () => (receiver.delivered().length >= 2 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      await moreChecks(s, 'lagging', 2);
      expect(receiver.delivered().map((b) => b.type)).toEqual(['cdc.slot_lag_exceeded', 'cdc.slot_lag_resolved']);
      expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
      expect((await eventsOf(file, lagTypes)).flatMap((e) => e.deliveries.map((d) => d.status))).toEqual([
        'delivered',
        'delivered',
      ]);
    } finally {
      expect(await stopServe(s)).toBe(0);
      await receiver.close();
    }
  });
});

describe('rapidbyte serve: metrics', () => {
  it("GET /metrics shows a stream's row counter growing while its run goes, ending at the rows written", async () => {
    const TABLE = 'public.big';
    const ROWS = 40_000;
    const src = await scope.create('metrics_src', shuffledBigTableSql(TABLE, ROWS));
    const dst = await scope.create(
      'metrics_dst',
      `CREATE FUNCTION public.rb_metrics_pace(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
       BEGIN
         IF id % 5000 = 0 THEN PERFORM pg_sleep(0.4); END IF;
         RETURN true;
       END $$;
       CREATE TABLE ${TABLE} (id bigint NOT NULL, cur bigint NOT NULL, hash text NOT NULL, amount numeric(12,2) NOT NULL,
         at timestamptz NOT NULL, PRIMARY KEY (id), CONSTRAINT paced CHECK (public.rb_metrics_pace(id)));`,
    );
    const sys = await scope.create('metrics_sys');
    const doc = {
      ...pgPipeline({
        name: 'measured',
        src,
        dst,
        streams: [{ name: TABLE, sync_mode: 'full_refresh' }],
        writeMode: 'upsert',
        destination: { primary_key: ['id'] },
        resources: { checkpoint_interval_rows: 5000, batch_rows: 2500 },
      }),
      schedule: { every: '1h' },
    };
    const s = await serve(projectDir([doc]), sys, { token: TOKEN });
    const series = `rapidbyte_stream_rows_written_total{pipeline="measured",stream="${TABLE}"}`;
    try {
      expect(promSample(await metricsText(s), series)).toBeUndefined();
      const trigger = await api<{ workflowId: string }>(s, '/pipelines/measured/trigger', {
        method: 'POST',
        token: TOKEN,
      });
      expect(trigger.status).toBe(202);
      // scrape while the run goes: the values seen while /runs says `running`
      const during: number[] = [];
      const run = await waitFor(
        'the run to end',
        async () => {
          const runs = (
            await api<{ runId: number; status: string; finishedAt?: string }[]>(s, '/runs?pipeline=measured')
          ).body;
          const value = promSample(await metricsText(s), series);
          const after = (await api<{ status: string; finishedAt?: string }[]>(s, '/runs?pipeline=measured')).body;
          // counted as "during" only when the run was running both before and after the scrape
          if (runs[0]?.status === 'running' && after[0]?.status === 'running' && value !== undefined)
            during.push(value);
          return after[0]?.finishedAt !== undefined ? (runs[0] ?? after[0]) : undefined;
        },
        { cli: s.cli, timeoutMs: 120_000, intervalMs: 100 },
      );
      expect(run.status === 'succeeded' || run.status === 'running').toBe(true);
      const distinct = [...new Set(during)].filter((v) => v > 0 && v < ROWS);
      expect(distinct.length, `values scraped during the run: ${during.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect(during).toEqual([...during].sort((a, b) => a - b));

      const text = await metricsText(s);
      const runs = (
        await api<{ runId: number; status: string; streams: { counts: { rowsWritten: number } }[] }[]>(
          s,
          '/runs?pipeline=measured',
        )
      ).body;
      expect(runs[0]?.status).toBe('succeeded');
      expect(runs[0]?.streams[0]?.counts.rowsWritten).toBe(ROWS);
      expect(promSample(text, series)).toBe(ROWS);
      expect(promSample(text, `rapidbyte_stream_rows_read_total{pipeline="measured",stream="${TABLE}"}`)).toBe(ROWS);
      expect(promSample(text, 'rapidbyte_runs_total{pipeline="measured",status="succeeded"}')).toBe(1);
      expect(promSample(text, 'rapidbyte_run_duration_seconds_count{pipeline="measured",status="succeeded"}')).toBe(1);
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
    await expectTablesEqual(src, TABLE, dst, TABLE);
  });
});

describe('rapidbyte serve: dead letters alert and connector metrics', () => {
  it("a run that dead-letters rows fires dead_letters.exceeded once, a clean run resolves it; the validating transform's metric() counters reach /metrics", async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    const src = await scope.create(
      'alerts_dlq_src',
      `CREATE TABLE public.people (id int PRIMARY KEY, email text);
       INSERT INTO public.people SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'p' || g || '@x.io' END FROM generate_series(1, 100) g;`,
    );
    const dst = await scope.create('alerts_dlq_dst');
    const sys = await scope.create('alerts_dlq_sys');
    const doc = {
      ...pgPipeline({
        name: 'lettered',
        src,
        dst,
        streams: [{ name: 'public.people', sync_mode: 'full_refresh' }],
        writeMode: 'upsert',
        destination: { on_data_error: 'dlq' },
      }),
      transforms: [{ use: 'transform-validate', config: { rules: [{ column: 'email', not_null: true }] } }],
      schedule: { every: '1h' },
      alerts: { dead_letters: 5, check_every: '1s' },
      notifications: [
        { url: receiver.url, events: ['dead_letters.exceeded', 'dead_letters.resolved'], secret: '${WEBHOOK_SECRET}' },
      ],
    };
    const dir = projectDir([doc]);
    const file = join(dir, 'lettered.yaml');
    const types = 'dead_letters.exceeded,dead_letters.resolved';
    const s = await serve(dir, sys, { token: TOKEN, env: ENV });
    const runNow = async (): Promise<void> => {
      const r = await api<{ status: string }>(s, '/pipelines/lettered/trigger', {
        method: 'POST',
        token: TOKEN,
        body: { wait: true },
      });
      expect(r.body.status).toBe('succeeded');
    };
    try {
      await runNow();
      const fired = await waitFor(
        'dead_letters.exceeded',
        async () => {
          const events = await eventsOf(file, types);
          return events.length > 0 ? events : undefined;
        },
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(fired.map((e) => e.type)).toEqual(['dead_letters.exceeded']);
      expect(fired[0]?.payload).toMatchObject({ alert: 'dead_letters', state: 'firing', value: 5, threshold: 5 });
      const text = await metricsText(s);
      const stage = 'stage="transform:transform-validate"';
      expect(
        promSample(
          text,
          `rapidbyte_connector_counter_total{pipeline="lettered",stream="public.people",${stage},name="rows_checked_total"}`,
        ),
      ).toBe(100);
      expect(
        promSample(
          text,
          `rapidbyte_connector_counter_total{pipeline="lettered",stream="public.people",${stage},name="rows_rejected_total"}`,
        ),
      ).toBe(10);
      expect(promSample(text, 'rapidbyte_stream_dead_letters_total{pipeline="lettered",stream="public.people"}')).toBe(
        10,
      );
      await moreChecks(s, 'lettered', 3);
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual(['dead_letters.exceeded']);

      // the source is fixed: the next run stores none and the alert resolves, once
      await cluster.psql(src.name, `UPDATE public.people SET email = 'fixed' || id WHERE email IS NULL`);
      await runNow();
      await waitFor(
        'dead_letters.resolved',
        async () => ((await eventsOf(file, types)).length > 1 ? true : undefined),
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      await moreChecks(s, 'lettered', 3);
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual([
        'dead_letters.exceeded',
        'dead_letters.resolved',
      ]);
      await waitFor('both deliveries', async () => (receiver.delivered().length >= 2 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      expect(receiver.delivered().map((b) => b.type)).toEqual(['dead_letters.exceeded', 'dead_letters.resolved']);
      const after = await metricsText(s);
      expect(
        promSample(
          after,
          `rapidbyte_connector_counter_total{pipeline="lettered",stream="public.people",${stage},name="rows_checked_total"}`,
        ),
      ).toBe(200);
      expect(promSample(after, 'rapidbyte_runs_total{pipeline="lettered",status="succeeded"}')).toBe(2);
    } finally {
      expect(await stopServe(s)).toBe(0);
      await receiver.close();
    }
    await expectTablesEqual(src, 'public.people', dst, 'public.people');
  });
});

describe('rapidbyte serve: failing runs alert', () => {
  it('runs failing again and again fire runs.failing once; after a reload fixes the pipeline, a successful run resolves it once', async () => {
    const receiver = await startWebhookReceiver({ secret: SECRET });
    const src = await scope.create(
      'alerts_fail_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, name text);
       INSERT INTO public.items SELECT g, 'n' || g FROM generate_series(1, 50) g;`,
    );
    const dst = await scope.create('alerts_fail_dst');
    const sys = await scope.create('alerts_fail_sys');
    const good = {
      ...pgPipeline({
        name: 'flaky',
        src,
        dst,
        streams: [{ name: 'public.items', sync_mode: 'full_refresh' }],
        writeMode: 'upsert',
        resources: { max_retries: 0 },
      }),
      schedule: { every: '2s' },
      alerts: { consecutive_failures: 2, check_every: '1s' },
      notifications: [{ url: receiver.url, events: ['runs.failing', 'runs.recovered'], secret: '${WEBHOOK_SECRET}' }],
    };
    // the destination database does not exist: every run fails
    const broken = {
      ...good,
      destination: { ...good.destination, config: { url: cluster.url('alerts_fail_no_such_db') } },
    };
    const dir = projectDir([broken]);
    const file = join(dir, 'flaky.yaml');
    const types = 'runs.failing,runs.recovered';
    const s = await serve(dir, sys, { token: TOKEN, env: ENV });
    const runsOf = async (): Promise<{ status: string }[]> =>
      (await api<{ status: string }[]>(s, '/runs?pipeline=flaky&limit=100')).body;
    try {
      const fired = await waitFor(
        'runs.failing',
        async () => {
          const events = await eventsOf(file, types);
          return events.length > 0 ? events : undefined;
        },
        { cli: s.cli, timeoutMs: 90_000, intervalMs: 250 },
      );
      expect(fired[0]?.payload).toMatchObject({ alert: 'consecutive_failures', state: 'firing', threshold: 2 });
      // more runs fail, the alert is checked again and again: still one event
      await waitFor(
        'two more failed runs',
        async () => ((await runsOf()).filter((r) => r.status === 'failed').length >= 4 ? true : undefined),
        { cli: s.cli, timeoutMs: 90_000, intervalMs: 250 },
      );
      await moreChecks(s, 'flaky', 2);
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual(['runs.failing']);

      writeFileSync(file, stringify(good));
      process.kill(s.cli.pid, 'SIGHUP');
      await waitFor('runs.recovered', async () => ((await eventsOf(file, types)).length > 1 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 90_000,
        intervalMs: 250,
      });
      expect((await runsOf()).some((r) => r.status === 'succeeded')).toBe(true);
      await moreChecks(s, 'flaky', 3);
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual(['runs.failing', 'runs.recovered']);
      await waitFor('both deliveries', async () => (receiver.delivered().length >= 2 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      expect(receiver.delivered().map((b) => b.type)).toEqual(['runs.failing', 'runs.recovered']);
    } finally {
      expect(await stopServe(s)).toBe(0);
      await receiver.close();
    }
    await expectTablesEqual(src, 'public.items', dst, 'public.items');
  });
});

describe('rapidbyte run --pushgateway', () => {
  it("pushes the run's counters to the Pushgateway (PUT per pipeline group); an unreachable one is a warning, not a failure", async () => {
    const pushes: { method: string; url: string; body: string }[] = [];
    const gateway = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const port = (gateway.address() as AddressInfo).port;
    const src = await scope.create(
      'push_src',
      `CREATE TABLE public.items (id int PRIMARY KEY, name text);
       INSERT INTO public.items SELECT g, 'n' || g FROM generate_series(1, 1234) g;`,
    );
    const dst = await scope.create('push_dst');
    const file = writePipelineDoc(
      pgPipeline({
        name: 'pushed',
        src,
        dst,
        streams: [{ name: 'public.items', sync_mode: 'full_refresh' }],
        writeMode: 'upsert',
      }),
    );
    try {
      const result = await runCli(['run', file, '--pushgateway', `http://127.0.0.1:${port}/`]);
      expect(result.code, result.stderr).toBe(0);
      const last = pushes.at(-1);
      expect(last?.method).toBe('PUT');
      expect(last?.url).toBe('/metrics/job/rapidbyte/pipeline/pushed');
      expect(
        promSample(last?.body ?? '', 'rapidbyte_stream_rows_written_total{pipeline="pushed",stream="public.items"}'),
      ).toBe(1234);
      expect(promSample(last?.body ?? '', 'rapidbyte_runs_total{pipeline="pushed",status="succeeded"}')).toBe(1);
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
    const down = await runCli(['run', file, '--pushgateway', `http://127.0.0.1:${port}`]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/pushing metrics to http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    const bad = await runCli(['run', file, '--pushgateway', 'gateway:9091']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pushgateway must be an http:// or https:// URL, got "gateway:9091"');
    await expectTablesEqual(src, 'public.items', dst, 'public.items');
  });
});

describe('rapidbyte serve: staleness alert', () => {
  it('data.stale fires once when no run succeeded for stale_after, and data.fresh once when a run succeeds', async () => {
    const src = await scope.create(
      'alerts_stale_src',
      `CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items SELECT generate_series(1, 10);`,
    );
    const dst = await scope.create('alerts_stale_dst');
    const sys = await scope.create('alerts_stale_sys');
    const doc = {
      ...pgPipeline({
        name: 'sleepy',
        src,
        dst,
        streams: [{ name: 'public.items', sync_mode: 'full_refresh' }],
        writeMode: 'upsert',
      }),
      schedule: { every: '1h' },
      alerts: { stale_after: '6s', check_every: '1s' },
    };
    const dir = projectDir([doc]);
    const file = join(dir, 'sleepy.yaml');
    const types = 'data.stale,data.fresh';
    const s = await serve(dir, sys, { token: TOKEN });
    try {
      const fired = await waitFor(
        'data.stale',
        async () => {
          const events = await eventsOf(file, types);
          return events.length > 0 ? events : undefined;
        },
        { cli: s.cli, timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(fired[0]?.payload).toMatchObject({ alert: 'stale_after', state: 'firing', threshold: 6000 });
      expect(fired[0]?.payload.message).toMatch(/^no successful run for \d+s \(stale_after 6s\)$/);
      await moreChecks(s, 'sleepy', 3);
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual(['data.stale']);
      const run = await api<{ status: string }>(s, '/pipelines/sleepy/trigger', {
        method: 'POST',
        token: TOKEN,
        body: { wait: true },
      });
      expect(run.body.status).toBe('succeeded');
      await waitFor('data.fresh', async () => ((await eventsOf(file, types)).length > 1 ? true : undefined), {
        cli: s.cli,
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      expect((await eventsOf(file, types)).map((e) => e.type)).toEqual(['data.stale', 'data.fresh']);
    } finally {
      expect(await stopServe(s)).toBe(0);
    }
  });
});

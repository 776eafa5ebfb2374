import { timingSafeEqual } from 'node:crypto';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ConfigError } from '../config/index.js';
import { formatFireTime } from '../schedule/index.js';
import { listRunsWithTransitions, type RunWithTransitions, type TickRecord } from '../state/index.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { renderDashboard, type DashboardPipeline } from './render-dashboard.js';
import { recentCdcLag } from './recent-cdc-lag.js';
import type { Scheduler } from './scheduler.js';
import { ServeRequestRefused } from './serve-error.js';

export interface HttpApiOptions {
  readonly scheduler: Scheduler;
  /** Required on every POST; on every call when `tokenForReads`. Without it, POSTs are refused. */
  readonly apiToken?: string;
  readonly tokenForReads: boolean;
  readonly ready: () => boolean;
  readonly reload: () => Promise<readonly string[]>;
  /** The Prometheus text of `GET /metrics`. */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
}

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined || header === undefined) return false;
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ''));
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const refuse = (reply: FastifyReply, status: number, code: string, error: string): FastifyReply =>
  reply.code(status).send({ error, code });

function limitOf(query: unknown, fallback: number): number {
  const raw = (query as { limit?: string }).limit;
  const n = Number(raw);
  return raw !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/**
 * The HTTP API of `serve` on fastify: health and readiness, pipelines, runs (the JSON of
 * `runs --json`), ticks, and trigger / pause / resume / stop / reload behind a bearer token.
 */
export function buildHttpApi(options: HttpApiOptions): FastifyInstance {
  const { scheduler } = options;
  const app = fastify({ logger: false });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const mutating = request.method !== 'GET' && request.method !== 'HEAD';
    if (!mutating && !options.tokenForReads) return;
    if (!mutating && (request.url === '/health' || request.url === '/ready')) return;
    if (tokenMatches(request.headers.authorization, options.apiToken)) return;
    const why =
      options.apiToken === undefined
        ? 'serve was started without RAPIDBYTE_API_TOKEN: control calls are refused; restart it with a token'
        : 'missing or wrong bearer token (Authorization: Bearer $RAPIDBYTE_API_TOKEN)';
    await refuse(reply, 401, 'SERVE_UNAUTHORIZED', why);
  });

  app.setErrorHandler(async (error: unknown, _request, reply) => {
    if (error instanceof ServeRequestRefused) return refuse(reply, error.status, error.code, error.message);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return refuse(reply, status, 'SERVE_REQUEST_REFUSED', (error as Error).message);
    return refuse(
      reply,
      500,
      (error as { code?: string }).code ?? 'RUN_FAILED',
      error instanceof Error ? error.message : String(error),
    );
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) =>
    options.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
  app.get('/openapi.json', async () => OPENAPI_DOCUMENT);
  const metrics = options.metrics;
  if (metrics !== undefined)
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics();
      return reply.type(contentType).send(body);
    });

  app.get('/', async (_request, reply) => {
    const pipelines: DashboardPipeline[] = [];
    for (const config of scheduler.project.pipelines) {
      const state = await scheduler.state(config.pipeline);
      const deadLetters = new Map<string, number>();
      for (const letter of await state.listDeadLetters({ pipeline: config.pipeline, limit: 10_000 }))
        deadLetters.set(letter.stream, (deadLetters.get(letter.stream) ?? 0) + 1);
      const s = config.schedule;
      const schedule =
        s === undefined
          ? config.dependsOn?.length
            ? `after ${config.dependsOn.map((d) => `${d.pipeline} (${d.on})`).join(', ')}`
            : 'none (trigger only)'
          : `${s.kind === 'cron' ? `cron ${s.cron} ${s.timezone}` : `every ${s.every}`}, overlap ${s.overlap}, catch_up ${s.catchUp}`;
      const next = scheduler.nextFire(config.pipeline);
      pipelines.push({
        pipeline: config.pipeline,
        schedule,
        ...(next && { nextFire: s?.kind === 'cron' ? formatFireTime(next, s.timezone) : next.toISOString() }),
        paused: await scheduler.paused(config.pipeline),
        runs: await state.listRuns({ pipeline: config.pipeline, limit: 30 }),
        deadLetters,
        ...(await recentCdcLag(state, config, new Date())),
      });
    }
    return reply.type('text/html; charset=utf-8').send(renderDashboard(pipelines, new Date()));
  });

  app.get('/pipelines', async () => {
    const out = [];
    for (const config of scheduler.project.pipelines) {
      const state = await scheduler.state(config.pipeline);
      const [lastRun] = await listRunsWithTransitions(state, { pipeline: config.pipeline, limit: 1 });
      const schedule = config.schedule;
      const next = scheduler.nextFire(config.pipeline);
      const running = scheduler.activeRun(config.pipeline);
      out.push({
        pipeline: config.pipeline,
        file: config.file,
        schedule:
          schedule === undefined
            ? null
            : {
                ...(schedule.kind === 'cron'
                  ? { cron: schedule.cron, timezone: schedule.timezone }
                  : { every: schedule.every }),
                overlap: schedule.overlap,
                catch_up: schedule.catchUp,
              },
        nextFireAt: next?.toISOString() ?? null,
        nextFireLocal:
          next && schedule ? formatFireTime(next, schedule.kind === 'cron' ? schedule.timezone : 'UTC') : null,
        dependsOn: config.dependsOn ?? [],
        paused: await scheduler.paused(config.pipeline),
        running:
          running === undefined
            ? null
            : {
                ...(running.runId !== undefined && { runId: running.runId }),
                workflowId: running.workflowId,
                tickAt: running.tickAt.toISOString(),
              },
        queued: scheduler.isQueued(config.pipeline),
        lastRun: lastRun ?? null,
      });
    }
    return out;
  });

  app.get('/runs', async (request) => {
    const pipeline = (request.query as { pipeline?: string }).pipeline;
    const limit = limitOf(request.query, 20);
    const names =
      pipeline === undefined
        ? scheduler.project.pipelines.map((p) => p.pipeline)
        : [scheduler.config(pipeline).pipeline];
    const runs: RunWithTransitions[] = [];
    for (const name of names)
      runs.push(...(await listRunsWithTransitions(await scheduler.state(name), { pipeline: name, limit })));
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId - a.runId).slice(0, limit);
  });

  app.get('/ticks', async (request) => {
    const pipeline = (request.query as { pipeline?: string }).pipeline;
    const limit = limitOf(request.query, 50);
    const names =
      pipeline === undefined
        ? scheduler.project.pipelines.map((p) => p.pipeline)
        : [scheduler.config(pipeline).pipeline];
    const ticks: TickRecord[] = [];
    for (const name of names) ticks.push(...(await (await scheduler.state(name)).listTicks({ pipeline: name, limit })));
    return ticks.sort((a, b) => b.recordedAt.localeCompare(a.recordedAt) || b.id - a.id).slice(0, limit);
  });

  app.post('/pipelines/:pipeline/trigger', async (request, reply) => {
    const { pipeline } = request.params as { pipeline: string };
    const body = (request.body ?? {}) as { fullRefresh?: unknown; wait?: unknown };
    const { workflowId, ended } = await scheduler.trigger(pipeline, body.fullRefresh === true);
    if (body.wait === true) return { workflowId, ...(await ended) };
    return reply.code(202).send({ pipeline, workflowId });
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/pipelines/:pipeline/${action}`, async (request) => {
      const { pipeline } = request.params as { pipeline: string };
      scheduler.config(pipeline);
      await scheduler.pause(pipeline, paused);
      return { pipeline, paused };
    });
  }

  app.post('/runs/:runId/stop', async (request, reply) => {
    const runId = Number((request.params as { runId: string }).runId);
    if (!Number.isSafeInteger(runId))
      return refuse(reply, 404, 'SERVE_REQUEST_REFUSED', 'a run id is a number (`rapidbyte runs` lists them)');
    const { pipeline } = scheduler.stop(runId);
    return reply.code(202).send({ runId, pipeline, stopping: true });
  });

  app.post('/reload', async (_request, reply) => {
    try {
      return { pipelines: await options.reload() };
    } catch (error) {
      if (error instanceof ConfigError)
        return reply.code(422).send({ error: error.message, code: 'CONFIG_INVALID', issues: error.issues });
      throw error;
    }
  });

  return app;
}

import { dirname, resolve } from 'node:path';
import type { ConnectorSchemaResolver } from '../config/index.js';
import { loadProject, type Project } from '../project/index.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';
import { DurableRuns } from './durable-runs.js';
import { buildHttpApi } from './http-api.js';
import { isLoopbackHost } from './listen-address.js';
import { ProjectStateStores } from './project-state.js';
import { Scheduler } from './scheduler.js';
import { ServeConfigError } from './serve-error.js';
import type { ServeOptions } from './serve-options.js';
import { AlertMonitor } from './alert-monitor.js';
import { DEFAULT_EVENT_RETENTION_MS, ServeDeliveries } from './serve-deliveries.js';
import { ServeMetrics, outboxDepth } from './serve-metrics.js';

/** A running serve process. */
export interface ServeHandle {
  /** Where the HTTP API listens, e.g. `http://127.0.0.1:7878`. */
  readonly url: string;
  /** Reloads the project (SIGHUP): new schedules apply at once, running work goes on. Rejects with ConfigError, keeping the old project. */
  reload(): Promise<readonly string[]>;
  /** Drains (runs stop at their next checkpoint, like SIGTERM on `run`), then closes everything. */
  stop(): Promise<void>;
}

function resolverFor(): (file: string) => ConnectorSchemaResolver {
  const registries = new Map<string, ConnectorRegistry>();
  return (file) => {
    const dir = dirname(resolve(file));
    const registry = registries.get(dir) ?? new ConnectorRegistry(dir);
    registries.set(dir, registry);
    return (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema, endpointFields: found.manifest.endpointFields } : undefined;
    };
  };
}

/** Refusals before anything starts: no system database, or an API reachable beyond this machine without a token. */
export function checkServeOptions(options: Pick<ServeOptions, 'systemDatabaseUrl' | 'listen' | 'apiToken'>): void {
  if (!/^postgres(ql)?:\/\//i.test(options.systemDatabaseUrl)) {
    throw new ServeConfigError(
      'serve needs a PostgreSQL system database for its durable workflows: pass --system-database postgres://… or set RAPIDBYTE_SYSTEM_DATABASE_URL',
    );
  }
  if (!isLoopbackHost(options.listen.host) && (options.apiToken ?? '') === '') {
    throw new ServeConfigError(
      `refusing to listen on ${options.listen.host} without a token: set RAPIDBYTE_API_TOKEN, or listen on 127.0.0.1`,
    );
  }
}

/**
 * Starts `rapidbyte serve`: loads and validates every pipeline of the project (one ConfigError
 * with every issue), opens their state DBs, launches the durable workflow engine (which recovers
 * runs a killed serve left behind), fires what `catch_up:` asks, arms the schedules, and serves
 * the HTTP API.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  checkServeOptions(options);
  const onEvent = options.onEvent ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const load = (): Project => loadProject(options.target, { env: options.env, resolverFor: resolverFor() });
  const project = load();
  const stores = new ProjectStateStores();
  let durable: DurableRuns | undefined;
  let app: ReturnType<typeof buildHttpApi> | undefined;
  let monitor: AlertMonitor | undefined;
  try {
    for (const config of project.pipelines) await stores.of(config);
    const metrics = new ServeMetrics({ outboxDepth: () => outboxDepth(stores) });
    const scheduler = new Scheduler(project, {
      stores,
      onEvent,
      now,
      onRunEvent: (pipeline, event) => metrics.onRunEvent(pipeline, event),
      ...(options.drainGraceMs !== undefined && { drainGraceMs: options.drainGraceMs }),
      ...(options.cluster === true && { cluster: { version: options.version } }),
    });
    durable = await DurableRuns.launch({
      systemDatabaseUrl: options.systemDatabaseUrl,
      version: options.version,
      execute: (request, workflowId) => scheduler.execute(request, workflowId),
      log: (level, message) => onEvent({ type: 'log', level, message: `workflow engine: ${message}` }),
    });
    scheduler.attach(durable);
    let ready = false;
    const reload = async (): Promise<readonly string[]> => {
      const next = load();
      for (const config of next.pipelines) await stores.of(config);
      scheduler.reload(next);
      const names = next.pipelines.map((p) => p.pipeline);
      onEvent({ type: 'reloaded', pipelines: names });
      return names;
    };
    const api = buildHttpApi({
      scheduler,
      ...(options.apiToken ? { apiToken: options.apiToken } : {}),
      tokenForReads: !isLoopbackHost(options.listen.host),
      ready: () => ready,
      reload,
      metrics: () => metrics.render(),
    });
    app = api;
    const address = await api.listen({ host: options.listen.host, port: options.listen.port });
    onEvent({ type: 'listening', url: address });
    await scheduler.start();
    const log = (level: 'info' | 'warn', pipeline: string | undefined, message: string): void =>
      onEvent({ type: 'log', level, ...(pipeline !== undefined && { pipeline }), message });
    const deliveries = new ServeDeliveries({
      project: () => scheduler.project,
      stores,
      onAttempt: (attempt) => metrics.recordDelivery(attempt),
      retentionMs: options.eventRetentionMs ?? DEFAULT_EVENT_RETENTION_MS,
      now,
      log,
    });
    deliveries.start();
    monitor = new AlertMonitor({
      project: () => scheduler.project,
      stores,
      now,
      running: (pipeline) => scheduler.activeRun(pipeline) !== undefined,
      metrics,
      log,
    });
    monitor.start();
    ready = true;
    onEvent({ type: 'ready', pipelines: project.pipelines.map((p) => p.pipeline) });
    let stopping: Promise<void> | undefined;
    const durableRuns = durable;
    return {
      url: address,
      reload,
      stop: () => {
        stopping ??= (async () => {
          ready = false;
          await monitor?.stop();
          await scheduler.drain();
          await deliveries.stop();
          await durableRuns.shutdown().catch(() => undefined);
          await api.close().catch(() => undefined);
          await stores.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await monitor?.stop();
    await app?.close().catch(() => undefined);
    await durable?.shutdown().catch(() => undefined);
    await stores.close();
    throw error;
  }
}

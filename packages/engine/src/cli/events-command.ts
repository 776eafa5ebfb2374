import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { redactSecrets, type PipelineConfig } from '../config/index.js';
import { parseDuration } from '../config/parse-duration.js';
import { DeliveryWorker, type DeliveryAttempt } from '../events/delivery-worker.js';
import { EVENT_TYPES, isEventType, type EventType } from '../config/event-types.js';
import { subscriptionsOf, targetKey, targetLabel } from '../events/notification-target.js';
import { openSqliteStateStore, openStateStore, type StateStore } from '../state/index.js';
import { resolve } from 'node:path';
import { EXIT_CODES } from './exit-codes.js';
import { formatAttempt, formatEvents, type EventView } from './format-events.js';
import { loadPipeline } from './load-pipeline.js';
import { reportFailure } from './report-failure.js';

/** Names this process's delivery claims. */
export function deliveryOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Delivers the pipeline's pending events to its targets until none is due or `forMs` passed;
 * the rest stay pending for the next `events deliver`, `run` or the server. Never throws for a
 * receiver's failure (those are recorded as retries).
 */
export async function deliverPipelineEvents(
  state: StateStore,
  config: PipelineConfig,
  options: { forMs: number; onAttempt?: (a: DeliveryAttempt) => void },
): Promise<DeliveryAttempt[]> {
  const targets = config.notifications ?? [];
  if (targets.length === 0 || options.forMs <= 0) return [];
  const worker = new DeliveryWorker({
    state,
    owner: deliveryOwner(),
    pipelines: [{ pipeline: config.pipeline, targets }],
  });
  return worker.deliverDue({
    deadline: Date.now() + options.forMs,
    ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
  });
}

/** Whether every delivery attempted ended delivered (its last attempt; earlier ones may have failed). */
function allDelivered(attempts: readonly DeliveryAttempt[]): boolean {
  const last = new Map(attempts.map((a) => [a.deliveryId, a.outcome]));
  return [...last.values()].every((o) => o === 'delivered');
}

/** `5s`, `500ms`, `0` (none): a duration option in ms, or a usage error naming the option. */
export function durationOption(name: string, value: string): number {
  if (/^\s*0+(\.0+)?\s*(ms|s|m|h)?\s*$/.test(value)) return 0;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw Object.assign(new Error(`--${name} must be a duration like 5s, 500ms or 0, got ${JSON.stringify(value)}`), {
      code: 'CONFIG_INVALID',
    });
  return ms;
}

async function openFor(
  pipelineArg: string | undefined,
  statePath: string | undefined,
): Promise<{ state: StateStore; pipeline?: string; config?: PipelineConfig }> {
  if (pipelineArg && /\.ya?ml$/i.test(pipelineArg)) {
    const { config } = loadPipeline(pipelineArg);
    const state = statePath
      ? openSqliteStateStore(resolve(statePath))
      : await openStateStore(config.state).catch((error: unknown) => {
          if (error instanceof Error) error.message = redactSecrets(error.message, config);
          throw error;
        });
    return { state, pipeline: config.pipeline, config };
  }
  return {
    state: openSqliteStateStore(resolve(statePath ?? '.rapidbyte/state.db')),
    ...(pipelineArg === undefined ? {} : { pipeline: pipelineArg }),
  };
}

function eventTypes(value: string | undefined): EventType[] | undefined {
  if (value === undefined) return undefined;
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = types.find((t) => !isEventType(t));
  if (unknown !== undefined)
    throw Object.assign(new Error(`--type: unknown event type "${unknown}" (one of ${EVENT_TYPES.join(', ')})`), {
      code: 'CONFIG_INVALID',
    });
  return types as EventType[];
}

/** `rapidbyte events list`: events oldest first, each with its deliveries. */
async function listCommand(opts: {
  pipeline?: string;
  state?: string;
  type?: string;
  run?: string;
  limit: string;
  json?: boolean;
}): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const types = eventTypes(opts.type);
    const opened = await openFor(opts.pipeline, opts.state);
    config = opened.config;
    const { state } = opened;
    try {
      // a run whose process is gone is closed as interrupted first: its run.interrupted event is listed
      await state.closeInterruptedRuns(opened.pipeline).catch(() => undefined);
      const labels = new Map((config?.notifications ?? []).map((t) => [targetKey(t), targetLabel(t)]));
      const events = await state.listEvents({
        ...(opened.pipeline === undefined ? {} : { pipeline: opened.pipeline }),
        ...(types === undefined ? {} : { types }),
        ...(opts.run === undefined ? {} : { runId: Number(opts.run) }),
        limit: Number(opts.limit),
      });
      const views: EventView[] = [];
      for (const e of events) {
        const deliveries = (await state.listDeliveries({ eventId: e.id })).map(
          ({ eventId: _e, pipeline: _p, ...d }) => ({
            ...d,
            ...(labels.has(d.target) ? { label: labels.get(d.target) } : {}),
          }),
        );
        views.push({ ...e, deliveries });
      }
      const text = opts.json ? JSON.stringify(views, null, 2) : formatEvents(views);
      process.stdout.write(`${config ? redactSecrets(text, config) : text}\n`);
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return reportFailure(error, config);
  }
}

/** `rapidbyte events deliver <pipeline.yaml...>`: sends what is due now, retries included, for at most `--for`. */
async function deliverCommand(files: readonly string[], opts: { for: string; json?: boolean }): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const forMs = durationOption('for', opts.for);
    const all: DeliveryAttempt[] = [];
    for (const file of files) {
      config = loadPipeline(file).config;
      const cfg = config;
      const state = await openStateStore(cfg.state);
      try {
        await state.syncNotificationTargets(cfg.pipeline, subscriptionsOf(cfg.notifications ?? []));
        const attempts = await deliverPipelineEvents(state, cfg, {
          forMs,
          onAttempt: (a) => {
            if (!opts.json) process.stdout.write(`${redactSecrets(formatAttempt(a), cfg)}\n`);
          },
        });
        all.push(...attempts);
        const pending = (await state.listDeliveries({ pipeline: cfg.pipeline, status: 'pending' })).length;
        if (!opts.json)
          process.stdout.write(
            `${cfg.pipeline}: ${attempts.filter((a) => a.outcome === 'delivered').length} delivered, ${pending} pending\n`,
          );
      } finally {
        await state.close();
      }
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return allDelivered(all) ? EXIT_CODES.ok : EXIT_CODES.failure;
  } catch (error) {
    return reportFailure(error, config);
  }
}

/** `rapidbyte events redeliver <id>`: queues the event again for its targets (and sends it now when given the pipeline file). */
async function redeliverCommand(id: string, opts: { pipeline?: string; state?: string; for: string }): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    if (!/^[1-9]\d*$/.test(id))
      throw Object.assign(new Error(`event id must be a positive integer, got ${JSON.stringify(id)}`), {
        code: 'CONFIG_INVALID',
      });
    const forMs = durationOption('for', opts.for);
    const opened = await openFor(opts.pipeline, opts.state);
    config = opened.config;
    const { state } = opened;
    try {
      if (config) await state.syncNotificationTargets(config.pipeline, subscriptionsOf(config.notifications ?? []));
      const queued = await state.redeliverEvent(Number(id));
      process.stdout.write(`event ${id}: ${queued} deliver${queued === 1 ? 'y' : 'ies'} queued\n`);
      if (!config) return EXIT_CODES.ok;
      const cfg = config;
      const attempts = await deliverPipelineEvents(state, cfg, {
        forMs,
        onAttempt: (a) => process.stdout.write(`${redactSecrets(formatAttempt(a), cfg)}\n`),
      });
      return allDelivered(attempts) ? EXIT_CODES.ok : EXIT_CODES.failure;
    } finally {
      await state.close();
    }
  } catch (error) {
    return reportFailure(error, config);
  }
}

/** Adds `rapidbyte events list|deliver|redeliver` to the CLI. */
export function registerEventsCommand(program: Command): Command {
  const events = program
    .command('events')
    .description(
      'lifecycle events (run and stream outcomes, schema changes, dead letters) and their webhook deliveries',
    );
  events
    .command('list')
    .description('list recorded events, oldest first, each with its deliveries (target, status, attempts, last error)')
    .option('--pipeline <pipeline.yaml|name>', 'only this pipeline (a YAML file also locates its state DB)')
    .option('--state <path>', "state DB file (default: the pipeline's, else .rapidbyte/state.db)")
    .option('--type <types>', `only these types (comma-separated: ${EVENT_TYPES.join(', ')})`)
    .option('--run <id>', 'only this run')
    .option('--limit <n>', 'newest N events', '100')
    .option('--json', 'print as JSON')
    .action(
      async (opts: {
        pipeline?: string;
        state?: string;
        type?: string;
        run?: string;
        limit: string;
        json?: boolean;
      }) => {
        process.exitCode = await listCommand(opts);
      },
    );
  events
    .command('deliver')
    .description(
      "send the pending deliveries that are due now to the pipelines' notification targets, retrying while due (exit 0 when each one attempted ended delivered); what a cron job runs without `serve`",
    )
    .argument('<pipeline.yaml...>')
    .option(
      '--for <duration>',
      'keep delivering (and waiting for retries that come due) for at most this long; what is left stays pending',
      '30s',
    )
    .option('--json', 'print the attempts as JSON')
    .action(async (files: string[], opts: { for: string; json?: boolean }) => {
      process.exitCode = await deliverCommand(files, opts);
    });
  events
    .command('redeliver')
    .description(
      'queue an event again for every target of its pipeline that wants it (delivered, pending or dead), and send it now when --pipeline is a file',
    )
    .argument('<id>', 'the event id (`rapidbyte events list` shows it)')
    .option('--pipeline <pipeline.yaml>', 'the pipeline file: its targets receive the event now')
    .option('--state <path>', "state DB file (default: the pipeline's, else .rapidbyte/state.db)")
    .option('--for <duration>', 'send for at most this long', '30s')
    .action(async (id: string, opts: { pipeline?: string; state?: string; for: string }) => {
      process.exitCode = await redeliverCommand(id, opts);
    });
  return events;
}

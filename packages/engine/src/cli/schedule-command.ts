import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ConnectorSchemaResolver, PipelineConfig } from '../config/index.js';
import { loadProject } from '../project/index.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';
import { cliEngineOptions } from './engine-options-from-env.js';
import { formatFireTime, nextFireTimes, type Schedule } from '../schedule/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { loadPipeline } from './load-pipeline.js';
import { reportFailure } from './report-failure.js';

const MAX_COUNT = 1000;
/** An instant with its zone: `2026-03-29T00:00:00Z`, `2026-03-29T02:00+01:00`. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** A command-line value that is wrong: exit 2 like a config error. */
class UsageError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
}

export interface ScheduleListOptions {
  readonly after?: string;
  readonly json?: boolean;
}

export interface ScheduleNextOptions extends ScheduleListOptions {
  readonly count?: string;
}

/** One pipeline as `schedule list --json` prints it. */
export interface ScheduledPipelineView {
  readonly pipeline: string;
  readonly file: string;
  readonly schedule: ScheduleView | null;
  /** The first tick after `--after` (now by default), UTC; null without a schedule. */
  readonly nextFireAt: string | null;
  /** The same instant as wall-clock time in the schedule's zone, with its offset. */
  readonly nextFireLocal: string | null;
  readonly dependsOn: readonly { readonly pipeline: string; readonly on: string }[];
}

/** A schedule as the commands print it (keys as in the YAML). */
export interface ScheduleView {
  readonly cron?: string;
  readonly every?: string;
  readonly timezone?: string;
  readonly overlap: string;
  readonly catch_up: string;
}

function scheduleView(schedule: Schedule): ScheduleView {
  const timing =
    schedule.kind === 'cron' ? { cron: schedule.cron, timezone: schedule.timezone } : { every: schedule.every };
  return { ...timing, overlap: schedule.overlap, catch_up: schedule.catchUp };
}

/** The zone a schedule's times are shown in: its own for cron, UTC for `every`. */
const zoneOf = (schedule: Schedule): string => (schedule.kind === 'cron' ? schedule.timezone : 'UTC');
const utc = (at: Date): string => formatFireTime(at, 'UTC');

function parseAfter(value: string | undefined, now: () => Date): Date {
  if (value === undefined) return now();
  const at = new Date(value);
  if (!INSTANT.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError(
      `--after must be an ISO 8601 time with its zone, like 2026-03-29T00:00:00Z or 2026-03-29T02:00:00+01:00; got ${JSON.stringify(value)}`,
    );
  }
  return at;
}

function parseCount(value: string | undefined): number {
  if (value === undefined) return 5;
  if (!/^[1-9]\d*$/.test(value) || Number(value) > MAX_COUNT)
    throw new UsageError(`--count must be an integer from 1 to ${MAX_COUNT}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Connector schemas for a pipeline file, from a registry rooted at its folder (one per folder). */
export function registryResolver(): (file: string) => ConnectorSchemaResolver {
  const registries = new Map<string, ConnectorRegistry>();
  return (file) => {
    const dir = dirname(resolve(file));
    const registry = registries.get(dir) ?? new ConnectorRegistry(dir, cliEngineOptions().connectorsPath);
    registries.set(dir, registry);
    return (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema } : undefined;
    };
  };
}

/** The rows of `schedule list`, in the project's order. */
export function scheduledPipelines(pipelines: readonly PipelineConfig[], after: Date): ScheduledPipelineView[] {
  return pipelines.map((p) => {
    const next = p.schedule ? nextFireTimes(p.schedule, after, 1)[0] : undefined;
    return {
      pipeline: p.pipeline,
      file: p.file,
      schedule: p.schedule ? scheduleView(p.schedule) : null,
      nextFireAt: next ? utc(next) : null,
      nextFireLocal: next && p.schedule ? formatFireTime(next, zoneOf(p.schedule)) : null,
      dependsOn: (p.dependsOn ?? []).map((d) => ({ pipeline: d.pipeline, on: d.on })),
    };
  });
}

/** `schedule list` as text: one row per pipeline, columns separated by two spaces or more. */
export function formatScheduleList(rows: readonly ScheduledPipelineView[]): string {
  const table = [
    ['pipeline', 'schedule', 'timezone', 'next fire', 'depends on'],
    ...rows.map((r) => [
      r.pipeline,
      r.schedule === null
        ? '-'
        : r.schedule.cron !== undefined
          ? `cron ${r.schedule.cron}`
          : `every ${r.schedule.every}`,
      r.schedule?.timezone ?? '-',
      r.nextFireLocal ?? (r.dependsOn.length > 0 ? 'after its dependencies' : '-'),
      r.dependsOn.length === 0 ? '-' : r.dependsOn.map((d) => `${d.pipeline} (${d.on})`).join(', '),
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `rapidbyte schedule list <dir|project.yaml>`; resolves to the exit code. */
async function scheduleListCommand(
  target: string,
  options: ScheduleListOptions,
  now: () => Date = () => new Date(),
): Promise<number> {
  try {
    const after = parseAfter(options.after, now);
    const project = loadProject(target, { env: process.env, resolverFor: registryResolver() });
    const rows = scheduledPipelines(project.pipelines, after);
    const out = options.json
      ? JSON.stringify({ project: project.source, after: utc(after), pipelines: rows }, null, 2)
      : formatScheduleList(rows);
    process.stdout.write(`${out}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return error instanceof UsageError ? usage(error) : reportFailure(error);
  }
}

/** `rapidbyte schedule next <pipeline.yaml>`: the next ticks, in the schedule's zone and in UTC. */
async function scheduleNextCommand(
  file: string,
  options: ScheduleNextOptions,
  now: () => Date = () => new Date(),
): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const after = parseAfter(options.after, now);
    const count = parseCount(options.count);
    config = loadPipeline(file).config;
    const schedule = config.schedule;
    if (schedule === undefined) {
      const upstream = config.dependsOn?.map((d) => d.pipeline).join(', ');
      const why = upstream
        ? `: it runs after ${upstream} (depends_on)`
        : ' (add schedule: { cron: "..." } or schedule: { every: 10m })';
      throw new UsageError(`pipeline '${config.pipeline}' has no schedule${why}`);
    }
    const times = nextFireTimes(schedule, after, count);
    const zone = zoneOf(schedule);
    if (options.json) {
      const view = {
        pipeline: config.pipeline,
        schedule: scheduleView(schedule),
        after: utc(after),
        fireTimes: times.map((t) => ({ at: utc(t), local: formatFireTime(t, zone) })),
      };
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    } else {
      const what =
        schedule.kind === 'cron' ? `cron "${schedule.cron}" in ${schedule.timezone}` : `every ${schedule.every}`;
      const lines = times.map((t) => `${formatFireTime(t, zone)}  ${utc(t)}`);
      process.stdout.write(
        `${[`${config.pipeline}: ${what}, next ${times.length} after ${utc(after)}`, ...lines].join('\n')}\n`,
      );
    }
    return EXIT_CODES.ok;
  } catch (error) {
    return error instanceof UsageError ? usage(error) : reportFailure(error, config);
  }
}

function usage(error: UsageError): number {
  process.stderr.write(`rapidbyte: ${error.message}\n`);
  return EXIT_CODES.configError;
}

/** Adds `rapidbyte schedule list|next` to the CLI. */
export function registerScheduleCommand(program: Command): Command {
  const schedule = program
    .command('schedule')
    .description('show when pipelines are scheduled (the schedule: and depends_on: keys); `serve` fires them');
  schedule
    .command('list')
    .description('validate a project and list its pipelines: schedule, time zone, next fire time, depends_on')
    .argument('<dir|project.yaml>', 'a folder of pipeline files, or a project file listing them')
    .option('--after <time>', 'next fire time after this ISO 8601 time with a zone (default: now)')
    .option('--json', 'print as JSON')
    .action(async (target: string, options: ScheduleListOptions) => {
      process.exitCode = await scheduleListCommand(target, options);
    });
  schedule
    .command('next')
    .description("print a pipeline's next fire times, in its time zone and in UTC")
    .argument('<pipeline.yaml>')
    .option('--count <n>', 'how many (default 5)')
    .option('--after <time>', 'after this ISO 8601 time with a zone, e.g. 2026-03-28T00:00:00Z (default: now)')
    .option('--json', 'print as JSON')
    .action(async (file: string, options: ScheduleNextOptions) => {
      process.exitCode = await scheduleNextCommand(file, options);
    });
  return schedule;
}

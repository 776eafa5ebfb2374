import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, redactSecrets, type PipelineConfig } from '../config/index.js';
import { checkProjectCommand } from './check-project-command.js';
import { isProjectTarget } from '../project/index.js';
import {
  openSqliteStateStore,
  openStateStore,
  type RunTransitionRecord,
  type StateStore,
  type TransitionRecord,
} from '../state/index.js';
import { connectorsCommand } from './connectors-command.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import { formatCheck } from './format-check.js';
import { formatRuns } from './format-runs.js';
import { loadPipeline as load } from './load-pipeline.js';
import { LOG_LEVELS } from '@rapidbyte/sdk/contract';
import { LOG_FORMATS } from './log-writer.js';
import { reportFailure as fail } from './report-failure.js';
import { runCommand, type RunCommandOptions } from './run-command.js';
import { specCommand } from './spec-command.js';
import { formatState, resetState, showState } from './state-commands.js';
import type { WarmWorkers } from '../orchestrator/warm-workers.js';
import { expandPipelineStreams, hasStreamPatterns } from '../orchestrator/expand-stream-patterns.js';
import { cacheSchemaValidators, usePrecompiledValidators } from '../config/schema-validator.js';
import { cliEngineOptions } from './engine-options-from-env.js';

async function checkCommand(file: string): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const loaded = load(file);
    config = loaded.config;
    process.stdout.write(`OK      config ${resolve(file)}\n`);
    const { checkPipeline } = await import('../orchestrator/check-pipeline.js');
    const items = await checkPipeline(config, loaded.registry);
    process.stdout.write(`${redactSecrets(formatCheck(items), config)}\n`);
    if (!items.every((i) => i.ok)) return EXIT_CODES.connectionError;
    // pattern streams are known (and their destination tables checked) once expanded from the source's catalog
    if (hasStreamPatterns(config)) {
      await expandPipelineStreams(config, loaded.registry);
      process.stdout.write('OK      streams (patterns expanded from the source catalog)\n');
    }
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof ConfigError)
      process.stdout.write(`FAILED  ${config ? 'streams' : 'config'} ${resolve(file)}\n`);
    return fail(error, config);
  }
}

/** The state DB of the pipeline's `state:` block (any backend), or a SQLite file given by path. */
async function openStateFor(
  pipelineArg: string | undefined,
  statePath: string | undefined,
): Promise<{ state: StateStore; pipeline?: string; config?: PipelineConfig }> {
  if (pipelineArg && /\.ya?ml$/i.test(pipelineArg)) {
    const { config } = load(pipelineArg);
    const state = statePath
      ? openSqliteStateStore(resolve(statePath))
      : await openStateStore(config.state).catch((error: unknown) => {
          throw redactedError(error, config);
        });
    return { state, pipeline: config.pipeline, config };
  }
  return { state: openSqliteStateStore(resolve(statePath ?? '.rapidbyte/state.db')), pipeline: pipelineArg };
}

/** `error` with the config's secrets (e.g. a state DB URL's password) removed from its message. */
function redactedError(error: unknown, config: PipelineConfig): unknown {
  if (!(error instanceof Error)) return error;
  error.message = redactSecrets(error.message, config);
  return error;
}

async function runsCommand(opts: {
  pipeline?: string;
  state?: string;
  limit: string;
  json?: boolean;
}): Promise<number> {
  try {
    const { state, pipeline } = await openStateFor(opts.pipeline, opts.state);
    try {
      // a run whose process is gone (killed, host lost) shows as interrupted, not running forever;
      // a state DB we may not write to is still listed as it is
      await state.closeInterruptedRuns(pipeline).catch(() => undefined);
      const runs = await state.listRuns({ pipeline, limit: Number(opts.limit) });
      const transitions = new Map<number, TransitionRecord[]>();
      const runTransitions = new Map<number, RunTransitionRecord[]>();
      for (const r of runs) {
        transitions.set(r.runId, await state.listTransitions(r.runId));
        runTransitions.set(r.runId, await state.listRunTransitions(r.runId));
      }
      if (opts.json) {
        const withTransitions = runs.map((r) => ({
          ...r,
          runTransitions: runTransitions.get(r.runId) ?? [],
          transitions: transitions.get(r.runId) ?? [],
        }));
        process.stdout.write(`${JSON.stringify(withTransitions, null, 2)}\n`);
      } else {
        process.stdout.write(
          `${formatRuns(
            runs,
            (id) => transitions.get(id) ?? [],
            (id) => runTransitions.get(id) ?? [],
          )}\n`,
        );
      }
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return fail(error);
  }
}

async function ticksCommand(opts: {
  pipeline?: string;
  state?: string;
  limit: string;
  json?: boolean;
}): Promise<number> {
  try {
    const { state, pipeline } = await openStateFor(opts.pipeline, opts.state);
    try {
      const ticks = await state.listTicks({ ...(pipeline !== undefined && { pipeline }), limit: Number(opts.limit) });
      const text = opts.json
        ? JSON.stringify(ticks, null, 2)
        : ticks.length === 0
          ? 'no ticks recorded'
          : ticks
              .map(
                (t) =>
                  `${t.tickAt}  ${t.pipeline}  ${t.outcome}${t.runId === undefined ? '' : `  run ${t.runId}`}${t.reason ? `  ${t.reason}` : ''}`,
              )
              .join('\n');
      process.stdout.write(`${text}\n`);
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return fail(error);
  }
}

async function stateCommand(
  action: 'show' | 'reset',
  file: string,
  opts: { stream?: string; json?: boolean },
): Promise<number> {
  try {
    const { state, config } = await openStateFor(file, undefined);
    const cfg = config as PipelineConfig;
    try {
      if (action === 'reset') {
        const names = (await resetState(state, cfg, opts.stream)).map((s) => s.name);
        const what =
          names.length === 0
            ? 'reset: no stream of this pipeline has stored state'
            : `reset ${names.join(', ')}: the next run starts ${names.length === 1 ? 'it' : 'them'} from scratch`;
        process.stdout.write(`${what}\n`);
        // a whole-pipeline reset also drops the CDC replication slot at the source (it would retain WAL)
        const { registry } = load(file);
        const { resetSource } = await import('../orchestrator/reset-source.js');
        const released = await resetSource(cfg, registry, opts.stream ? 'streams' : 'pipeline', names).catch(
          (error: unknown) => {
            process.stderr.write(
              `rapidbyte: could not release the source's replication slot: ${redactSecrets(error instanceof Error ? error.message : String(error), cfg)}\n`,
            );
            throw error;
          },
        );
        if (released.droppedSlot)
          process.stdout.write(`dropped replication slot ${released.droppedSlot} at the source\n`);
      } else {
        const views = await showState(state, cfg, opts.stream);
        process.stdout.write(opts.json ? `${JSON.stringify(views, null, 2)}\n` : `${formatState(views)}\n`);
      }
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return fail(error);
  }
}

/** The engine package's version, read from its `package.json` (two levels above `dist/cli/`). */
function engineVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/**
 * The `rapidbyte` command line: parses `argv` and runs the command (its exit code in
 * `process.exitCode`). `warm`: stream workers the entry started before loading this module.
 */
export async function runProgram(argv: readonly string[], warm?: WarmWorkers): Promise<void> {
  // RAPIDBYTE_SCHEMA_CACHE=off: compile every schema afresh (to measure what the cache saves)
  if (!cliEngineOptions().schemaCache) cacheSchemaValidators(false);
  // RAPIDBYTE_PRECOMPILED_SCHEMAS=off: compile the built-in schemas at run time too (to measure what precompiling saves)
  if (!cliEngineOptions().precompiledSchemas) usePrecompiledValidators(false);
  const program = new Command('rapidbyte')
    .description('Move rows between databases through sandboxed WebAssembly connectors.')
    .version(`rapidbyte ${engineVersion()}`, '-V, --version', 'print the version and exit')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .exitOverride();

  program
    .command('run')
    .description('run a pipeline: every stream from the source to the destination')
    .argument('<pipeline.yaml>')
    .option('--json', 'print the run summary as one JSON document on stdout')
    .option(
      '--streams <names>',
      'run only these streams (comma-separated names or patterns, e.g. public.users,sales.*)',
    )
    .option(
      '--follow',
      'CDC streams keep streaming until SIGINT/SIGTERM, then drain, commit, acknowledge and exit 0 (without it a run drains what the WAL held at its start and exits)',
    )
    .option('--no-progress', 'no progress display or progress lines on stderr')
    .option(
      '--dry-run',
      'read the sources only: rows are counted and dropped, no destination is opened, nothing is written and no run, cursor or state is recorded (CDC streams are skipped)',
    )
    .option('--limit <n>', 'with --dry-run only: read at most N rows per stream')
    .option(
      '--notify-wait <duration>',
      "at exit, deliver the run's events to the pipeline's notification targets for at most this long (0: not at all); what is left stays pending for `rapidbyte events deliver` or serve",
      '5s',
    )
    .option(
      '--pushgateway <url>',
      "push the run's metrics (rows and bytes per stream, outcome, duration, retries, dead letters) to a Prometheus Pushgateway every 15 s and at the end",
    )
    .option(
      '--cluster',
      "submit the run to the workers sharing the pipeline's Postgres state DB (`rapidbyte worker`) and follow it here: same display, summary, --json and exit codes",
    )
    .option(
      '--full-refresh',
      'ignore stored cursors and watermarks for this run: every stream reads from the start (incremental: all rows; cdc: a new snapshot). append appends them again, upsert overwrites, replace is unchanged; nothing is deleted up front',
    )
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'log lines on stderr as text or JSON lines')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .addHelpText(
      'after',
      '\nOn a terminal, stderr shows a live display per stream (phase, rows, bytes, rows/s); otherwise plain\n' +
        'lines (JSON lines with --log-format json). stdout holds only the summary (or the --json document).\n' +
        '\nSIGINT/SIGTERM: batch streams stop reading at their next checkpoint, the destination commits what it\n' +
        'received up to it and the checkpoint is recorded; a stream still draining after 8 s is stopped at once\n' +
        '(uncommitted work rolls back; replace streams always roll back). Exit 130, or 0 for a --follow run that\n' +
        'drained. A second signal exits at once. The next run resumes from the recorded checkpoint.',
    )
    .action(async (file: string, opts: RunCommandOptions) => {
      process.exitCode = await runCommand(file, opts, warm);
    });

  program
    .command('discover')
    .description(
      "list the source's catalog: streams, columns, types, primary keys and a suggested cursor (* = selected by the pipeline)",
    )
    .argument('<pipeline.yaml>')
    .option('--json', 'print the catalog as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const { discoverCommand } = await import('./discover-command.js');
      process.exitCode = await discoverCommand(file, opts);
    });

  program
    .command('spec')
    .description("print a connector's config JSON Schema")
    .argument('<connector>', 'a connector name (as in `use:`) or a path to its folder')
    .option('--dir <dir>', 'resolve names as a pipeline in this directory would (default: the current directory)')
    .action((connector: string, opts: { dir?: string }) => {
      process.exitCode = specCommand(connector, opts);
    });

  program
    .command('connectors')
    .description('list the connectors found: name, version, roles, whether built, and where each is loaded from')
    .option('--dir <dir>', 'search as a pipeline in this directory would (default: the current directory)')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean; dir?: string }) => {
      process.exitCode = connectorsCommand(opts);
    });

  program
    .command('check')
    .description(
      'validate the pipeline config and the connectivity of both ends (of every pipeline of a project folder or project.yaml)',
    )
    .argument('<pipeline.yaml|dir|project.yaml>')
    .action(async (file: string) => {
      process.exitCode = isProjectTarget(file)
        ? await checkProjectCommand(file, checkCommand)
        : await checkCommand(file);
    });

  program
    .command('runs')
    .description('list recorded runs with per-stream counts, attempts and status transitions')
    .option('--pipeline <pipeline.yaml|name>', 'only this pipeline (a YAML file also locates its state DB)')
    .option('--state <path>', "state DB file (default: the pipeline's, else .rapidbyte/state.db)")
    .option('--limit <n>', 'newest N runs', '20')
    .option('--json', 'print as JSON (with transitions)')
    .action(async (opts: { pipeline?: string; state?: string; limit: string; json?: boolean }) => {
      process.exitCode = await runsCommand(opts);
    });

  const stateCmd = program
    .command('state')
    .description('show or reset the stored cursors and checkpoints of a pipeline');
  for (const action of ['show', 'reset'] as const) {
    stateCmd
      .command(action)
      .description(
        action === 'show'
          ? "print each stream's cursor, LSN and last committed checkpoint"
          : 'forget cursors and checkpoints: the next run starts from scratch',
      )
      .argument('<pipeline.yaml>')
      .option('--stream <name>', 'only this stream')
      .option('--json', 'print as JSON')
      .action(async (file: string, opts: { stream?: string; json?: boolean }) => {
        process.exitCode = await stateCommand(action, file, opts);
      });
  }

  program
    .command('ticks')
    .description('list what `serve` did with each scheduled tick: fired, caught-up, queued, skipped (and why)')
    .option('--pipeline <pipeline.yaml|name>', 'only this pipeline (a YAML file also locates its state DB)')
    .option('--state <path>', "state DB file (default: the pipeline's, else .rapidbyte/state.db)")
    .option('--limit <n>', 'newest N ticks', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { pipeline?: string; state?: string; limit: string; json?: boolean }) => {
      process.exitCode = await ticksCommand(opts);
    });

  program
    .command('serve')
    .description('run the pipelines of a folder or project file on their schedules, with an HTTP API (until SIGTERM)')
    .argument('<dir|project.yaml>')
    .option(
      '--system-database <url>',
      "PostgreSQL URL of the durable workflow engine's system database (default: $RAPIDBYTE_SYSTEM_DATABASE_URL)",
    )
    .option(
      '--listen <host:port>',
      'where the HTTP API listens (a non-loopback address needs RAPIDBYTE_API_TOKEN)',
      '127.0.0.1:7878',
    )
    .option(
      '--event-retention <duration>',
      'delete lifecycle events (and their deliveries) older than this once every delivery ended; 0 keeps them',
      '720h',
    )
    .option(
      '--cluster',
      "submit the scheduled runs to the workers sharing each pipeline's Postgres state DB (`rapidbyte worker`), after runs submitted by hand, instead of running them here",
    )
    .addOption(
      new Option('--log-format <format>', 'event lines on stderr as text or JSON lines')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .addHelpText(
      'after',
      '\nEvery pipeline is validated at start (one report of every error, exit 2). SIGTERM/SIGINT drain the runs\n' +
        'in progress to their last checkpoint and exit 0; SIGHUP (or `rapidbyte reload`) reloads the config without\n' +
        "stopping running work. RAPIDBYTE_API_TOKEN is the bearer token of the API's control calls.",
    )
    .action(
      async (
        target: string,
        opts: {
          systemDatabase?: string;
          listen?: string;
          logFormat?: 'text' | 'json';
          eventRetention?: string;
          cluster?: boolean;
        },
      ) => {
        const { serveCommand } = await import('./serve-command.js');
        process.exitCode = await serveCommand(target, opts);
        // the workflow engine may leave pool timers behind: a drained serve ends here
        process.exit(process.exitCode);
      },
    );

  const serverOption = (): Option =>
    new Option('--server <url>', 'the serve HTTP API (default: $RAPIDBYTE_SERVER_URL, else http://127.0.0.1:7878)');
  program
    .command('trigger')
    .description('start a run of a pipeline now, through the running serve')
    .argument('<pipeline>')
    .option('--full-refresh', 'ignore stored cursors and watermarks for this run')
    .option('--wait', 'wait for the run to end; exit with its code')
    .option('--json', 'print the answer as JSON')
    .addOption(serverOption())
    .action(
      async (pipeline: string, opts: { fullRefresh?: boolean; wait?: boolean; json?: boolean; server?: string }) => {
        const { triggerCommand } = await import('./control-commands.js');
        process.exitCode = await triggerCommand(pipeline, opts);
      },
    );
  for (const action of ['pause', 'resume'] as const) {
    program
      .command(action)
      .description(
        action === 'pause'
          ? "pause a pipeline's schedule (its ticks are recorded as skipped-paused; kept across serve restarts)"
          : "resume a paused pipeline's schedule",
      )
      .argument('<pipeline>')
      .option('--json', 'print the answer as JSON')
      .addOption(serverOption())
      .action(async (pipeline: string, opts: { json?: boolean; server?: string }) => {
        const { pauseCommand } = await import('./control-commands.js');
        process.exitCode = await pauseCommand(pipeline, action === 'pause', opts);
      });
  }
  program
    .command('stop')
    .description('stop a run of the running serve: its streams drain to their last checkpoint (like SIGINT)')
    .argument('<run>', 'the run id (`rapidbyte runs` lists them)')
    .option('--json', 'print the answer as JSON')
    .addOption(serverOption())
    .option('--cluster', 'stop a run of the cluster (`run --cluster`, or serve with workers) instead of a serve run')
    .option('--state <url>', "with --cluster: the cluster's PostgreSQL state DB (default: $RAPIDBYTE_STATE_URL)")
    .action(async (runId: string, opts: { json?: boolean; server?: string; cluster?: boolean; state?: string }) => {
      if (opts.cluster) {
        const { stopClusterCommand } = await import('./workers-command.js');
        process.exitCode = await stopClusterCommand(runId, opts);
        return;
      }
      const { stopCommand } = await import('./control-commands.js');
      process.exitCode = await stopCommand(runId, opts);
    });
  program
    .command('worker')
    .description(
      'join the cluster of the Postgres state DB: take runs and stream/shard chains from its queue and run them as a local run does',
    )
    .option('--state <url>', 'the PostgreSQL state DB the cluster shares (default: $RAPIDBYTE_STATE_URL)')
    .option('--worker-id <id>', 'a stable id for this worker (default: the host name)')
    .option('--slots <n>', 'at most this many chains at once on this machine (default: half the cores)')
    .option('--queues <list>', 'take only this work: runs (coordinators), chains (streams and shards)', 'runs,chains')
    .addOption(
      new Option('--log-format <format>', 'log lines as text or JSON lines').choices(LOG_FORMATS).default('text'),
    )
    .action(
      async (opts: {
        state?: string;
        workerId?: string;
        slots?: string;
        queues?: string;
        logFormat?: 'text' | 'json';
      }) => {
        const { workerCommand } = await import('./worker-command.js');
        process.exitCode = await workerCommand(opts);
        // the workflow engine keeps its pollers (it is not shut down: what a stopped worker left
        // PENDING is handed over, not finished): a stopped worker ends here
        process.exit(process.exitCode);
      },
    );
  program
    .command('workers')
    .description("list the cluster's workers: status, slots, running chains, last heartbeat")
    .option('--state <url>', 'the PostgreSQL state DB the cluster shares (default: $RAPIDBYTE_STATE_URL)')
    .option('--json', 'print the workers as JSON')
    .action(async (opts: { state?: string; json?: boolean }) => {
      const { workersCommand } = await import('./workers-command.js');
      process.exitCode = await workersCommand(opts);
    });
  program
    .command('reload')
    .description('make the running serve reload its config (like SIGHUP); running work goes on')
    .option('--json', 'print the answer as JSON')
    .addOption(serverOption())
    .action(async (opts: { json?: boolean; server?: string }) => {
      const { reloadCommand } = await import('./control-commands.js');
      process.exitCode = await reloadCommand(opts);
    });

  // `run` never uses these commands (nor their dependencies, e.g. the cron parser): not loaded for it
  // (RAPIDBYTE_LAZY_COMMANDS=off loads them anyway, to measure what skipping them saves)
  if (argv[2] !== 'run' || !cliEngineOptions().lazyCommands) {
    const [
      { registerScaffoldCommand },
      { registerDlqCommand },
      { registerScheduleCommand },
      { registerEventsCommand },
      { registerNotifyCommand },
    ] = await Promise.all([
      import('../scaffold/index.js'),
      import('./dlq-command.js'),
      import('./schedule-command.js'),
      import('./events-command.js'),
      import('./notify-command.js'),
    ]);
    registerScaffoldCommand(program);
    registerDlqCommand(program);
    registerScheduleCommand(program);
    registerEventsCommand(program);
    registerNotifyCommand(program);
  }

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const e = error as { exitCode?: number; code?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      process.exitCode = 0;
    else process.exitCode = EXIT_CODES.configError;
  }
}

#!/usr/bin/env node
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadPipelineConfig, redactSecrets, type PipelineConfig } from '../config/index.js';
import { checkPipeline } from '../orchestrator/check-pipeline.js';
import { ConnectorUnavailable, runPipeline } from '../orchestrator/run-pipeline.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';
import { openSqliteStateStore, openStateStore, StateError, type StateStore, type TransitionRecord } from '../state/index.js';
import { EXIT_CODES, EXIT_CODES_HELP, exitCodeForError } from './exit-codes.js';
import { formatCheck, formatRunSummary } from './format-summary.js';
import { formatRuns } from './format-runs.js';
import { formatState, resetState, showState } from './state-commands.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function load(file: string): { config: PipelineConfig; registry: ConnectorRegistry } {
  const path = resolve(file);
  const registry = new ConnectorRegistry(dirname(path));
  const config = loadPipelineConfig(path, {
    env: process.env,
    resolveConnector: (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema } : undefined;
    },
  });
  return { config, registry };
}

function fail(error: unknown, config?: PipelineConfig): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rapidbyte: ${config ? redactSecrets(message, config) : message}\n`);
  if (error instanceof ConfigError) return EXIT_CODES.configError;
  if (error instanceof ConnectorUnavailable) return EXIT_CODES.configError;
  if (error instanceof StateError && error.code === 'PIPELINE_LOCKED') return EXIT_CODES.failure;
  return EXIT_CODES.failure;
}

async function runCommand(file: string, opts: { json?: boolean; logLevel: (typeof LEVELS)[number] }): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const loaded = load(file);
    config = loaded.config;
    const cfg = config;
    const state = await openStateStore(cfg.state);
    const minLevel = LEVELS.indexOf(opts.logLevel);
    const onEvent = (e: RunEvent): void => {
      if (e.type === 'log' && LEVELS.indexOf(e.level as (typeof LEVELS)[number]) >= minLevel) {
        process.stderr.write(`[${e.level}] ${e.stream ?? ''} ${e.stage}: ${redactSecrets(e.message, cfg)}\n`);
      } else if (e.type === 'stream-finished' && !opts.json) {
        process.stderr.write(`${e.result.stream}: ${e.result.status} (${e.result.rowsWritten} rows)\n`);
      }
    };
    const controller = new AbortController();
    // First signal: stop the streams at their next step (committed work stays); second: exit now.
    const interrupt = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_CODES.interrupted);
      process.stderr.write('interrupted: stopping the streams (press Ctrl-C again to exit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    try {
      const result = await runPipeline(cfg, { registry: loaded.registry, state, onEvent, signal: controller.signal });
      process.stdout.write(opts.json ? `${redactSecrets(JSON.stringify(result, null, 2), cfg)}\n` : `${redactSecrets(formatRunSummary(result), cfg)}\n`);
      if (result.status === 'succeeded') return EXIT_CODES.ok;
      if (result.status === 'cancelled') return EXIT_CODES.interrupted;
      if (result.status === 'partial') return EXIT_CODES.partialFailure;
      const first = result.streams.find((s) => s.error);
      return first?.error ? exitCodeForError(first.error.code) : EXIT_CODES.failure;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      await state.close();
    }
  } catch (error) {
    return fail(error, config);
  }
}

async function checkCommand(file: string): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const loaded = load(file);
    config = loaded.config;
    process.stdout.write(`OK      config ${resolve(file)}\n`);
    const items = await checkPipeline(config, loaded.registry);
    process.stdout.write(`${redactSecrets(formatCheck(items), config)}\n`);
    return items.every((i) => i.ok) ? EXIT_CODES.ok : EXIT_CODES.connectionError;
  } catch (error) {
    if (error instanceof ConfigError) process.stdout.write(`FAILED  config ${resolve(file)}\n`);
    return fail(error, config);
  }
}

/** The state DB of the pipeline's `state:` block (any backend), or a SQLite file given by path. */
async function openStateFor(pipelineArg: string | undefined, statePath: string | undefined): Promise<{ state: StateStore; pipeline?: string; config?: PipelineConfig }> {
  if (pipelineArg && /\.ya?ml$/i.test(pipelineArg)) {
    const { config } = load(pipelineArg);
    const state = statePath ? openSqliteStateStore(resolve(statePath)) : await openStateStore(config.state).catch((error: unknown) => {
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

async function runsCommand(opts: { pipeline?: string; state?: string; limit: string; json?: boolean }): Promise<number> {
  try {
    const { state, pipeline } = await openStateFor(opts.pipeline, opts.state);
    try {
      const runs = await state.listRuns({ pipeline, limit: Number(opts.limit) });
      const transitions = new Map<number, TransitionRecord[]>();
      for (const r of runs) transitions.set(r.runId, await state.listTransitions(r.runId));
      if (opts.json) {
        const withTransitions = runs.map((r) => ({ ...r, transitions: transitions.get(r.runId) ?? [] }));
        process.stdout.write(`${JSON.stringify(withTransitions, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatRuns(runs, (id) => transitions.get(id) ?? [])}\n`);
      }
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return fail(error);
  }
}

async function stateCommand(action: 'show' | 'reset', file: string, opts: { stream?: string; json?: boolean }): Promise<number> {
  try {
    const { state, config } = await openStateFor(file, undefined);
    const cfg = config as PipelineConfig;
    try {
      if (action === 'reset') {
        const names = await resetState(state, cfg, opts.stream);
        process.stdout.write(`reset ${names.join(', ')}: the next run starts ${names.length === 1 ? 'it' : 'them'} from scratch\n`);
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

const program = new Command('rapidbyte')
  .description('Move rows between databases through sandboxed WebAssembly connectors.')
  .addHelpText('after', `\n${EXIT_CODES_HELP}`)
  .exitOverride();

program
  .command('run')
  .description('run a pipeline: every stream from the source to the destination')
  .argument('<pipeline.yaml>')
  .option('--json', 'print the run summary as one JSON document')
  .addOption(new Option('--log-level <level>', 'log level on stderr').choices(LEVELS).default('info'))
  .action(async (file: string, opts: { json?: boolean; logLevel: (typeof LEVELS)[number] }) => {
    process.exitCode = await runCommand(file, opts);
  });

program
  .command('check')
  .description('validate the pipeline config and the connectivity of both ends')
  .argument('<pipeline.yaml>')
  .action(async (file: string) => {
    process.exitCode = await checkCommand(file);
  });

program
  .command('runs')
  .description('list recorded runs with per-stream counts, attempts and status transitions')
  .option('--pipeline <pipeline.yaml|name>', 'only this pipeline (a YAML file also locates its state DB)')
  .option('--state <path>', 'state DB file (default: the pipeline\'s, else .rapidbyte/state.db)')
  .option('--limit <n>', 'newest N runs', '20')
  .option('--json', 'print as JSON (with transitions)')
  .action(async (opts: { pipeline?: string; state?: string; limit: string; json?: boolean }) => {
    process.exitCode = await runsCommand(opts);
  });

const stateCmd = program.command('state').description('show or reset the stored cursors and checkpoints of a pipeline');
for (const action of ['show', 'reset'] as const) {
  stateCmd
    .command(action)
    .description(action === 'show' ? 'print each stream\'s cursor, LSN and last committed checkpoint' : 'forget cursors and checkpoints: the next run starts from scratch')
    .argument('<pipeline.yaml>')
    .option('--stream <name>', 'only this stream')
    .option('--json', 'print as JSON')
    .action(async (file: string, opts: { stream?: string; json?: boolean }) => {
      process.exitCode = await stateCommand(action, file, opts);
    });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = error as { exitCode?: number; code?: string };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exitCode = 0;
  else process.exitCode = EXIT_CODES.configError;
}

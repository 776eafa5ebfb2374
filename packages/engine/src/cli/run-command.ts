import { redactSecrets, selectStreams, type PipelineConfig } from '../config/index.js';
import { expandPipelineStreams } from '../orchestrator/expand-stream-patterns.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { RunResult } from '../orchestrator/run-result.js';
import { compileAhead, runPipeline } from '../orchestrator/run-pipeline.js';
import type { WarmWorkers } from '../orchestrator/warm-workers.js';
import { openStateStore } from '../state/index.js';
import { EXIT_CODES, exitCodeForError, type ExitCode } from './exit-codes.js';
import { withErrorHints } from './with-error-hints.js';
import { deliverPipelineEvents, durationOption } from './events-command.js';
import { formatAttempt } from './format-events.js';
import { cliEngineOptions } from './engine-options-from-env.js';
import { loadPipeline } from './load-pipeline.js';
import { createLogWriter, type LogFormat, type LogLevel } from './log-writer.js';
import { createPlainDisplay, createTtyDisplay, type ProgressDisplay } from './progress-display.js';
import { reportFailure } from './report-failure.js';
import { formatRunSummary } from './summary-table.js';
import { MetricsPusher, parsePushgateway } from './push-metrics.js';
import { engineVersion } from './engine-version.js';

/** Options of `rapidbyte run`. */
export interface RunCommandOptions {
  readonly json?: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** `--streams a,b`: only these streams (names or patterns). */
  readonly streams?: string;
  /** `--follow`: CDC streams keep streaming until SIGINT/SIGTERM (then drain, commit, acknowledge, exit 0). */
  readonly follow?: boolean;
  /** `--progress` / `--no-progress`; default: live display when stderr is a terminal. */
  readonly progress?: boolean;
  /** `--dry-run`: read the sources only; nothing is written or recorded. */
  readonly dryRun?: boolean;
  /** `--limit N` (with `--dry-run` only): at most N rows per stream. */
  readonly limit?: string;
  /** `--full-refresh`: ignore stored cursors/watermarks for this run. */
  readonly fullRefresh?: boolean;
  /** `--notify-wait 5s`: how long the run delivers its events at exit (0: not at all). */
  readonly notifyWait?: string;
  /** `--pushgateway <url>`: push the run's metrics to a Prometheus Pushgateway. */
  readonly pushgateway?: string;
  /** `--cluster`: submit the run to the workers sharing the Postgres state DB and follow it. */
  readonly cluster?: boolean;
}

/** `--limit` as a number, or a usage problem (the CLI exits 2 with it). */
export function parseRunLimit(opts: Pick<RunCommandOptions, 'limit' | 'dryRun'>): { limit?: number; problem?: string } {
  if (opts.limit === undefined) return {};
  if (!opts.dryRun)
    return { problem: '--limit only works with --dry-run (a limited real run would leave a partial table behind)' };
  if (!/^\d+$/.test(opts.limit) || !Number.isSafeInteger(Number(opts.limit)))
    return { problem: `--limit must be a non-negative integer, got ${JSON.stringify(opts.limit)}` };
  return { limit: Number(opts.limit) };
}

/** The line a dry run adds under the summary: nothing written, rows read per stream. */
export function dryRunNote(result: RunResult): string {
  const read = result.streams.map((s) => `${s.stream} ${s.rowsRead} rows read`);
  const skipped = (result.skipped ?? []).map((s) => `${s.stream} skipped (${s.reason})`);
  return `dry run: nothing was written and no state was recorded; ${[...read, ...skipped].join(', ') || 'no streams'}`;
}

/** Exit code of a finished run. */
export function exitCodeOfRun(result: RunResult): ExitCode {
  if (result.status === 'succeeded') return EXIT_CODES.ok;
  if (result.status === 'cancelled') return EXIT_CODES.interrupted;
  if (result.status === 'partial') return EXIT_CODES.partialFailure;
  const first = result.streams.find((s) => s.error);
  return first?.error ? exitCodeForError(first.error.code) : EXIT_CODES.failure;
}

async function displayFor(
  config: PipelineConfig,
  opts: RunCommandOptions,
): Promise<{ display: ProgressDisplay; onEvent: (e: RunEvent) => void }> {
  const redact = (text: string): string => redactSecrets(text, config);
  const stderr = process.stderr;
  const live = (opts.progress ?? stderr.isTTY === true) && stderr.isTTY === true && opts.logFormat === 'text';
  const raw = (line: string): void => void stderr.write(`${line}\n`);
  const tty = live
    ? createTtyDisplay({ stream: stderr, redact, logUpdate: (await import('log-update')).createLogUpdate })
    : undefined;
  // on a terminal, log lines are printed above the live frame
  const writer = createLogWriter({
    level: opts.logLevel,
    format: opts.logFormat,
    redact,
    write: tty ? (line) => tty.print(line) : raw,
  });
  const shown: ProgressDisplay =
    tty ??
    (opts.progress === false
      ? { handle: () => undefined, print: raw, stop: () => undefined }
      : createPlainDisplay(writer, raw));
  const onEvent = (e: RunEvent): void => {
    if (e.type === 'log')
      writer.log({ level: e.level as LogLevel, stream: e.stream, stage: e.stage, message: e.message });
    else if (e.type === 'stream-stalled')
      writer.log({
        level: e.action === 'fail' ? 'error' : 'warn',
        stream: e.stream,
        stage: 'watchdog',
        message: e.message,
        fields: { event: e.type, action: e.action, code: e.code },
      });
    else shown.handle(e);
  };
  return { display: shown, onEvent };
}

/**
 * `rapidbyte run`: loads the pipeline, expands stream patterns from the source's catalog,
 * applies `--streams`, runs it with a live display (terminal) or plain lines on stderr, and
 * prints the summary table — or with `--json` the RunResult as one JSON document — on stdout.
 */
export async function runCommand(file: string, opts: RunCommandOptions, warm?: WarmWorkers): Promise<number> {
  let config: PipelineConfig | undefined;
  const { limit, problem } = parseRunLimit(opts);
  if (problem) {
    process.stderr.write(`rapidbyte: ${problem}\n`);
    return EXIT_CODES.configError;
  }
  const gateway = opts.pushgateway === undefined ? undefined : parsePushgateway(opts.pushgateway);
  if (gateway !== undefined && 'problem' in gateway) {
    process.stderr.write(`rapidbyte: ${gateway.problem}\n`);
    return EXIT_CODES.configError;
  }
  try {
    const loaded = loadPipeline(file);
    config = loaded.config;
    const cluster = opts.cluster === true ? await import('../cluster/submit-run.js') : undefined;
    if (cluster) {
      cluster.assertClusterState(config);
      if (opts.dryRun === true) {
        process.stderr.write('rapidbyte: --dry-run runs on this machine: drop --cluster\n');
        return EXIT_CODES.configError;
      }
    }
    const engine = cliEngineOptions();
    // RAPIDBYTE_EARLY_COMPILE=off: the run compiles its components only once it starts (to measure what starting early saves)
    const compiled =
      engine.earlyCompile && !cluster
        ? compileAhead(loaded.registry, config, opts.dryRun === true, engine.warmPreload ? warm : undefined)
        : undefined;
    let cfg = await expandPipelineStreams(config, loaded.registry);
    const allCdc = cfg.source.streams.filter((s) => s.syncMode === 'cdc').map((s) => s.name);
    if (opts.streams !== undefined) cfg = selectStreams(cfg, opts.streams.split(','));
    const selected = new Set(cfg.source.streams.map((s) => s.name));
    const heldCdcStreams = allCdc.filter((s) => !selected.has(s));
    config = cfg;
    const notifyWaitMs = durationOption('notify-wait', opts.notifyWait ?? '5s');
    const state = await openStateStore(cfg.state);
    const { display, onEvent: show } = await displayFor(cfg, opts);
    const pusher =
      gateway === undefined
        ? undefined
        : await MetricsPusher.create(gateway.url, cfg.pipeline, (message) =>
            show({ type: 'log', stage: 'metrics', level: 'warn', message }),
          );
    const onEvent = (e: RunEvent): void => {
      pusher?.onEvent(e);
      show(e);
    };
    const controller = new AbortController();
    // First signal: the streams drain (sources stop at their next checkpoint, the destination
    // commits up to it; after a grace period they stop at once); second: exit now.
    const interrupt = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_CODES.interrupted);
      display.print('interrupted: draining the streams to their last checkpoint (press Ctrl-C again to exit at once)');
      controller.abort();
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    try {
      const result = cluster
        ? await cluster.submitClusterRun({
            config: loaded.config,
            registry: loaded.registry,
            version: `rapidbyte-${engineVersion()}`,
            fullRefresh: opts.fullRefresh === true,
            follow: opts.follow === true,
            ...(opts.streams !== undefined ? { streams: opts.streams } : {}),
            onEvent,
            signal: controller.signal,
          })
        : await runPipeline(cfg, {
            registry: loaded.registry,
            state,
            onEvent,
            signal: controller.signal,
            follow: opts.follow === true,
            dryRun: opts.dryRun === true,
            fullRefresh: opts.fullRefresh === true,
            ...(heldCdcStreams.length > 0 ? { heldCdcStreams } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(engine.drainGraceMs !== undefined ? { drainGraceMs: engine.drainGraceMs } : {}),
            ...(warm ? { warm } : {}),
            ...(compiled ? { compiled } : {}),
            ...(engine.resumeGate ? { resumeGate: engine.resumeGate } : {}),
            ...(engine.lightStreamsPerPermit !== undefined
              ? { lightStreamsPerPermit: engine.lightStreamsPerPermit }
              : {}),
            switches: engine.switches,
            faults: engine.faults,
          });
      display.stop();
      const summary = formatRunSummary(result, { boxed: process.stdout.isTTY === true });
      const text = opts.json
        ? JSON.stringify(withErrorHints(result), null, 2)
        : result.dryRun
          ? `${summary}\n${dryRunNote(result)}`
          : summary;
      process.stdout.write(`${redactSecrets(text, cfg)}\n`);
      return exitCodeOfRun(result);
    } finally {
      await pusher?.finish();
      display.stop();
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      // the run's events (also of a run that threw) go out now, for a bounded time: a receiver that
      // is down never holds the exit; what is left stays pending in the outbox
      if (opts.dryRun !== true) {
        await deliverPipelineEvents(state, cfg, {
          forMs: notifyWaitMs,
          onAttempt: (a) =>
            onEvent({
              type: 'log',
              stage: 'notify',
              level: a.outcome === 'delivered' ? 'info' : 'warn',
              message: formatAttempt(a),
            }),
        }).catch((error: unknown) =>
          onEvent({
            type: 'log',
            stage: 'notify',
            level: 'warn',
            message: `could not deliver the run's events: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      }
      await state.close();
    }
  } catch (error) {
    return reportFailure(error, config);
  }
}

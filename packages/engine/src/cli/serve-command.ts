import { readFileSync } from 'node:fs';
import { ConfigError, formatConfigIssue } from '../config/index.js';
import { DEFAULT_LISTEN, parseListenAddress, startServe, type ServeEvent, type ServeHandle } from '../serve/index.js';
import { durationOption } from './events-command.js';
import { EXIT_CODES } from './exit-codes.js';
import { reportFailure } from './report-failure.js';

export interface ServeCommandOptions {
  /** `--system-database <url>`; else RAPIDBYTE_SYSTEM_DATABASE_URL. */
  readonly systemDatabase?: string;
  /** `--listen host:port`. */
  readonly listen?: string;
  readonly logFormat?: 'text' | 'json';
  /** `--event-retention 720h` (0: keep every event). */
  readonly eventRetention?: string;
  /** `--cluster`: submit the scheduled runs to the workers (`rapidbyte worker`). */
  readonly cluster?: boolean;
}

function engineVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** One event as a stderr line. */
export function formatServeEvent(e: ServeEvent): string | undefined {
  switch (e.type) {
    case 'listening':
      return `listening on ${e.url}`;
    case 'ready':
      return `ready: serving ${e.pipelines.length} pipeline(s): ${e.pipelines.join(', ')}`;
    case 'tick':
      return `${e.pipeline}: tick ${e.tickAt} ${e.outcome}${e.runId === undefined ? '' : ` (run ${e.runId})`}${e.reason ? `: ${e.reason}` : ''}`;
    case 'run-finished':
      return `${e.pipeline}: run ${e.runId ?? '-'} ${e.status}${e.error ? `: ${e.error}` : ''}`;
    case 'reloaded':
      return `reloaded: ${e.pipelines.join(', ')}`;
    case 'reload-failed':
      return `reload refused, the running config stays:\n${e.issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n')}`;
    case 'draining':
      return `draining ${e.runs} run(s) to their last checkpoint`;
    case 'log':
      return e.level === 'debug' ? undefined : `${e.level}: ${e.pipeline ? `${e.pipeline}: ` : ''}${e.message}`;
  }
}

/**
 * `rapidbyte serve <dir|project.yaml>`: runs the project's pipelines on their schedules until
 * SIGTERM/SIGINT (drain, exit 0; a second signal exits 130 at once); SIGHUP reloads the config.
 */
export async function serveCommand(target: string, opts: ServeCommandOptions): Promise<number> {
  const listen = opts.listen === undefined ? DEFAULT_LISTEN : parseListenAddress(opts.listen);
  if ('problem' in listen) {
    process.stderr.write(`rapidbyte: ${listen.problem}\n`);
    return EXIT_CODES.configError;
  }
  const print = (e: ServeEvent): void => {
    const line =
      opts.logFormat === 'json' ? JSON.stringify({ at: new Date().toISOString(), ...e }) : formatServeEvent(e);
    if (line !== undefined) process.stderr.write(`${line}\n`);
  };
  let handle: ServeHandle;
  try {
    const eventRetentionMs = durationOption('event-retention', opts.eventRetention ?? '720h');
    handle = await startServe({
      eventRetentionMs,
      target,
      env: process.env,
      systemDatabaseUrl: opts.systemDatabase ?? process.env.RAPIDBYTE_SYSTEM_DATABASE_URL ?? '',
      listen,
      ...(process.env.RAPIDBYTE_API_TOKEN ? { apiToken: process.env.RAPIDBYTE_API_TOKEN } : {}),
      version: `rapidbyte-${engineVersion()}`,
      onEvent: print,
      ...(opts.cluster === true && { cluster: true }),
      ...drainGrace(process.env),
    });
  } catch (error) {
    return reportFailure(error);
  }
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(EXIT_CODES.interrupted);
      stopping = true;
      handle.stop().then(
        () => resolveExit(EXIT_CODES.ok),
        (error: unknown) => resolveExit(reportFailure(error)),
      );
    };
    const reload = (): void => {
      handle.reload().catch((error: unknown) => {
        if (error instanceof ConfigError) print({ type: 'reload-failed', issues: error.issues });
        else
          print({
            type: 'log',
            level: 'error',
            message: `reload failed: ${error instanceof Error ? error.message : String(error)}`,
          });
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', reload);
  });
}

/** Test-only override of the drain grace period, as for `run`. */
function drainGrace(env: NodeJS.ProcessEnv): { drainGraceMs?: number } {
  const ms = Number(env.RAPIDBYTE_TEST_DRAIN_GRACE_MS ?? '');
  return env.RAPIDBYTE_TEST_DRAIN_GRACE_MS && Number.isFinite(ms) && ms >= 0 ? { drainGraceMs: ms } : {};
}

// Starts the built `rapidbyte` CLI as a child process the test can watch and kill -9 mid-run.
import { spawn } from 'node:child_process';
import { CLI, REPO_ROOT, type CliResult } from './run-cli.js';

/** A CLI process that is (or was) running. */
export interface SpawnedCli {
  readonly pid: number;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<CliResult>;
  /** The outcome once the process has exited, else undefined. */
  result(): CliResult | undefined;
  /** What the process has written to stderr so far. */
  stderrSoFar(): string;
  /** Sends SIGKILL (no cleanup of any kind in the engine) and waits for the exit. */
  kill9(): Promise<CliResult>;
}

/** Starts `rapidbyte <args>` without waiting for it; `env` is added to the test process's environment. */
export function spawnCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): SpawnedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${CLI}`);
  let stdout = '';
  let stderr = '';
  let outcome: CliResult | undefined;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
  const exited = new Promise<CliResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      outcome ??= { code, signal, stdout, stderr };
      resolve(outcome);
    };
    child.on('error', (e) => {
      stderr += `\nspawn error: ${e.message}`;
      finish(null, null);
    });
    child.on('close', finish);
  });
  return {
    pid: child.pid,
    exited,
    result: () => outcome,
    stderrSoFar: () => stderr,
    kill9: () => {
      if (!outcome) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** The process exited before the condition a test waited for. */
export class ExitedTooEarly extends Error {
  readonly result: CliResult;
  constructor(what: string, result: CliResult) {
    super(
      `the CLI exited (code ${result.code}, signal ${result.signal}) before ${what}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
    this.name = 'ExitedTooEarly';
    this.result = result;
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined and returns that
 * value. Throws ExitedTooEarly when `cli` exits first, or an Error naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { cli?: SpawnedCli; timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const exited = options.cli?.result();
    if (exited) throw new ExitedTooEarly(what, exited);
    if (Date.now() > deadline) {
      // what the CLI said so far is the best clue to why
      const said = options.cli
        ? `\nthe CLI's stderr so far (last 40 lines):\n${options.cli.stderrSoFar().split('\n').slice(-40).join('\n')}`
        : '';
      throw new Error(`timed out waiting for ${what}${said}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}

// Small promise wrapper around child_process.spawn that collects output and fails with data.
import { spawn } from 'node:child_process';

/** A command exited non-zero (or could not start); carries what it printed. */
export class CommandFailedError extends Error {
  /**
   * @param {string} command
   * @param {readonly string[]} args
   * @param {number | null} exitCode
   * @param {string} stderr
   * @param {string} stdout
   * @param {{ cause?: unknown }} [options]
   */
  constructor(command, args, exitCode, stderr, stdout, options) {
    super(`${command} ${args.join(' ')} exited with ${exitCode}: ${stderr.trim() || stdout.trim()}`, options);
    this.name = 'CommandFailedError';
    this.command = command;
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

/**
 * Runs a command to completion.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ input?: string, cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
export function runCommand(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (cause) => reject(new CommandFailedError(command, args, null, String(cause), '', { cause })));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CommandFailedError(command, args, code, stderr, stdout));
    });
    child.stdin.on('error', () => {}); // the child may exit before reading all input
    child.stdin.end(options.input ?? '');
  });
}

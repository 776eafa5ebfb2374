// Runs a command and measures wall time, CPU seconds (user+sys of it and its children) and peak RSS.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * @typedef {object} TimedResult
 * @property {number} wallSeconds
 * @property {number | undefined} cpuSeconds user + sys of the command and the children it waited for
 * @property {number | undefined} peakRssMb largest resident set of any one process (GNU time only)
 * @property {number | null} status exit code
 * @property {string} logFile where stdout and stderr went
 */

/**
 * @param {string[]} argv command and arguments
 * @param {{ workDir: string, label: string, cwd?: string, env?: NodeJS.ProcessEnv }} options
 * @returns {TimedResult}
 */
export function timedRun(argv, options) {
  const timeFile = join(options.workDir, `${options.label}.time`);
  const logFile = join(options.workDir, `${options.label}.log`);
  const useGnuTime = existsSync(GNU_TIME);
  const wrapped = useGnuTime
    ? [GNU_TIME, '-f', '%e %U %S %M', '-o', timeFile, ...argv]
    : ['bash', '-c', 'TIMEFORMAT="%R %U %S"; exec 3>&2; { time "$@" 2>&3; } 2>"$RB_TIME_FILE"', 'bash', ...argv];
  const log = openSync(logFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawnSync(wrapped[0], wrapped.slice(1), {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), RB_TIME_FILE: timeFile },
    stdio: ['ignore', log, log],
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(log);
  let cpuSeconds;
  let peakRssMb;
  try {
    // GNU time prints "Command exited with non-zero status N" first on failure: take the last line.
    const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    if (fields.length >= 3 && fields.every(Number.isFinite)) {
      cpuSeconds = fields[1] + fields[2];
      if (useGnuTime && fields.length >= 4) peakRssMb = fields[3] / 1024;
    }
  } catch {
    // no timing file: the command could not start; status says so
  }
  return { wallSeconds, cpuSeconds, peakRssMb, status: child.status, logFile };
}

/** @param {string} file @param {number} lines */
export function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

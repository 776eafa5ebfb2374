// Reading what `rapidbyte ... --json` printed, with failures that show everything the CLI said.
import { expect } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import type { RunJson, StreamJson } from './run-json.js';

/** How a CLI run exited and what it printed: the message to attach to an assertion on it. */
export function cliOutput(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n${result.stdout}\n${result.stderr}`;
}

/** stdout parsed as JSON; throws with the exit code, stdout and stderr when it is not JSON. */
export function parseJson<T = RunJson>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** Asserts that a `--json` command exited 0; returns what it printed, parsed. */
export function expectJson<T = RunJson>(result: CliResult): T {
  expect(result.code, cliOutput(result)).toBe(0);
  return parseJson<T>(result);
}

/** Asserts that a `run --json` exited 0 with status `succeeded`; returns its summary. */
export function expectSucceeded<T extends RunJson = RunJson>(result: CliResult): T {
  expect(result.code, cliOutput(result)).toBe(0);
  const json = parseJson<T>(result);
  expect(json.status, cliOutput(result)).toBe('succeeded');
  return json;
}

/** Asserts that a `run` without `--json` exited 0 and its summary says the run succeeded. */
export function expectSucceededText(result: CliResult): void {
  expect(result.code, cliOutput(result)).toBe(0);
  expect(result.stdout).toMatch(/: succeeded in /);
}

/** Runs `rapidbyte run --json <file>` and asserts it succeeded; returns the summary. */
export async function runSucceeded<T extends RunJson = RunJson>(file: string): Promise<T> {
  return expectSucceeded<T>(await runCli(['run', '--json', file]));
}

/** The summary's only stream (asserts there is exactly one). */
export function onlyStream<S extends StreamJson>(json: { streams: S[] }): S {
  expect(json.streams).toHaveLength(1);
  return json.streams[0] as S;
}

/** The summary's stream named `name` (asserts it is there). */
export function streamNamed<S extends StreamJson>(json: { streams: S[] }, name: string): S {
  const stream = json.streams.find((s) => s.stream === name);
  expect(stream, `no stream ${name} in ${JSON.stringify(json.streams)}`).toBeDefined();
  return stream as S;
}

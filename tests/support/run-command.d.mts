/** A command exited non-zero (or could not start); carries what it printed. */
export class CommandFailedError extends Error {
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly stdout: string;
}
/** Runs a command to completion; rejects with CommandFailedError on a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options?: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }>;

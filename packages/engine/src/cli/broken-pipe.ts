/**
 * A reader that stops reading is no failure of ours (`rapidbyte check p.yaml | head -1`): without a
 * handler, the next write to the closed pipe throws EPIPE from the stream and Node prints a stack
 * trace. stdout (results only): exit at once and quietly, with the exit code set so far, as Unix
 * tools do. stderr (logs and progress): drop what can no longer be shown and let the command
 * finish — a run whose log reader went away still drains, commits and records.
 */
export function handleBrokenPipes(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isBrokenPipe(error)) throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!isBrokenPipe(error)) throw error;
  });
}

function isBrokenPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

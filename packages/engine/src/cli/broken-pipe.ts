/**
 * A reader that stops reading is no failure of ours (`rapidbyte check p.yaml | head -1`): without a
 * handler, the next write to the closed pipe raises EPIPE on the stream and Node dies with a stack
 * trace. With it, the closed stream is destroyed and what is written to it later is dropped; the
 * command finishes quietly and exits with its own code — a run whose output reader went away still
 * drains, commits and records, and a failed `check` still exits 3.
 */
export function handleBrokenPipes(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams.length > 0 ? streams : [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}

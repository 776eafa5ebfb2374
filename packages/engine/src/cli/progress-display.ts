import type { createLogUpdate } from 'log-update';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { LogWriter } from './log-writer.js';
import { plainProgressLine, ProgressBoard, renderProgressFrame } from './progress-board.js';

/** Shows a run's progress while it runs; `print` puts a line above it (logs). */
export interface ProgressDisplay {
  handle(event: RunEvent): void;
  print(line: string): void;
  /** Draws the last frame and leaves it on the screen. */
  stop(): void;
}

export interface TtyDisplayOptions {
  /** A terminal stream (stderr, so stdout keeps only the summary). */
  readonly stream: NodeJS.WriteStream;
  /** Redraw interval; default 100 ms. */
  readonly intervalMs?: number;
  readonly redact: (text: string) => string;
  /** log-update's `createLogUpdate` (loaded by the caller only when there is a terminal). */
  readonly logUpdate: typeof createLogUpdate;
}

/**
 * The live display on a terminal (log-update): a frame with one line per stream — phase, rows,
 * bytes, rows/s, elapsed — redrawn in place every `intervalMs` and on every stream change.
 */
export function createTtyDisplay(options: TtyDisplayOptions): ProgressDisplay {
  const board = new ProgressBoard();
  const update = options.logUpdate(options.stream);
  let tick = 0;
  let started = false;
  let stopped = false;
  const draw = (): void => {
    if (started && !stopped) update(options.redact(renderProgressFrame(board, tick++)));
  };
  const timer = setInterval(draw, options.intervalMs ?? 100);
  timer.unref();
  return {
    handle(event) {
      if (event.type === 'run-started') started = true;
      board.apply(event);
      // counters change often: the timer redraws them; phase changes are drawn at once
      if (event.type !== 'stream-progress' && event.type !== 'log') draw();
    },
    print(line) {
      if (!stopped) update.clear();
      options.stream.write(`${line}\n`);
      draw();
    },
    stop() {
      if (stopped) return;
      clearInterval(timer);
      draw();
      stopped = true;
      update.done();
    },
  };
}

/**
 * Progress as plain lines (not a terminal): a line when a stream starts and finishes, and for a
 * running stream at most one every `intervalMs` (default 10 s), through the log writer (so
 * `--log-format json` keeps stderr all JSON).
 */
export function createPlainDisplay(
  writer: LogWriter,
  write: (line: string) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const board = new ProgressBoard(now);
  const lastLine = new Map<string, number>();
  const every = options.intervalMs ?? 10_000;
  return {
    handle(event) {
      const p = board.apply(event);
      if (!p) return;
      if (p.phase === 'copying') {
        const last = lastLine.get(p.stream) ?? p.startedAt ?? 0;
        if (now() - last < every) return;
      }
      lastLine.set(p.stream, now());
      writer.log({
        level: p.phase === 'failed' ? 'error' : 'info',
        stream: p.stream,
        message: plainProgressLine(board, p),
        fields: {
          event: event.type,
          phase: p.phase,
          rowsRead: p.rowsRead,
          rowsWritten: p.rowsWritten,
          bytesRead: p.bytesRead,
        },
      });
    },
    print: write,
    stop: () => undefined,
  };
}

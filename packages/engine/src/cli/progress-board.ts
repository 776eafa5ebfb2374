import type { RunEvent } from '../orchestrator/run-event.js';
import { displayWidth, padEndDisplay, padStartDisplay } from './display-width.js';
import { formatBytes, formatRate } from './format-bytes.js';

export const STREAM_PHASES = ['queued', 'starting', 'copying', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
export type StreamPhase = (typeof STREAM_PHASES)[number];

/** What the display knows about one stream. */
export interface StreamProgress {
  readonly stream: string;
  readonly phase: StreamPhase;
  readonly attempt: number;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly bytesRead: number;
  /** `now()` when the stream (last) started, undefined while queued. */
  readonly startedAt?: number;
  /** Set when the stream finished. */
  readonly durationMs?: number;
}

/**
 * The live state of a run, folded from its events: per stream the phase, counters and timing.
 * `apply` returns the stream an event changed (or undefined), so a display can react.
 */
export class ProgressBoard {
  readonly #streams = new Map<string, StreamProgress>();
  readonly #now: () => number;
  #title = '';

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  get title(): string {
    return this.#title;
  }

  streams(): StreamProgress[] {
    return [...this.#streams.values()];
  }

  get(stream: string): StreamProgress | undefined {
    return this.#streams.get(stream);
  }

  apply(event: RunEvent): StreamProgress | undefined {
    switch (event.type) {
      case 'run-started':
        this.#title = `run ${event.runId} of ${event.pipeline}`;
        for (const s of event.streams)
          this.#streams.set(s, { stream: s, phase: 'queued', attempt: 0, rowsRead: 0, rowsWritten: 0, bytesRead: 0 });
        return undefined;
      case 'stream-started':
        return this.#update(event.stream, () => ({
          phase: event.attempt > 1 ? 'retrying' : 'starting',
          attempt: event.attempt,
          startedAt: this.#now(),
          rowsRead: 0,
          rowsWritten: 0,
          bytesRead: 0,
        }));
      case 'stream-progress':
        // live: rows delivered to the destination by this attempt, committed or not yet (a commit
        // may cover hundreds of thousands of rows); the finished stream shows the committed rows
        return this.#update(event.stream, (p) => ({
          ...event.counters,
          rowsWritten: event.counters.rowsWritten + (event.rowsUncommitted ?? 0),
          phase: p.phase === 'starting' || p.phase === 'retrying' ? 'copying' : p.phase,
        }));
      case 'stream-finished': {
        const r = event.result;
        return this.#update(r.stream, () => ({
          phase: r.status,
          rowsRead: r.rowsRead,
          rowsWritten: r.rowsWritten,
          bytesRead: r.bytesRead,
          durationMs: r.durationMs,
        }));
      }
      default:
        return undefined;
    }
  }

  /** Elapsed milliseconds of a stream: its duration when finished, else the time since it started. */
  elapsedMs(p: StreamProgress): number {
    if (p.durationMs !== undefined) return p.durationMs;
    return p.startedAt === undefined ? 0 : this.#now() - p.startedAt;
  }

  #update(stream: string, change: (p: StreamProgress) => Partial<StreamProgress>): StreamProgress {
    const before = this.#streams.get(stream) ?? {
      stream,
      phase: 'queued' as const,
      attempt: 0,
      rowsRead: 0,
      rowsWritten: 0,
      bytesRead: 0,
    };
    const after = { ...before, ...change(before) };
    this.#streams.set(stream, after);
    return after;
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const MARK: Partial<Record<StreamPhase, string>> = { queued: '·', succeeded: '✔', failed: '✖', cancelled: '■' };

/** One frame of the live display: a title and an aligned row per stream (rows, bytes, rows/s, phase, elapsed). */
export function renderProgressFrame(board: ProgressBoard, tick: number): string {
  const rows = board.streams().map((p) => {
    const ms = board.elapsedMs(p);
    const phase =
      p.phase === 'retrying' || (p.attempt > 1 && p.phase === 'copying')
        ? `${p.phase} (attempt ${p.attempt})`
        : p.phase;
    return [
      `${MARK[p.phase] ?? SPINNER[tick % SPINNER.length]} ${p.stream}`,
      phase,
      `${p.rowsWritten.toLocaleString('en-US')} rows`,
      formatBytes(p.bytesRead),
      `${formatRate(p.rowsWritten, ms)} rows/s`,
      `${(ms / 1000).toFixed(1)} s`,
    ];
  });
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(0, ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i <= 1 ? padEndDisplay(c, widths[i] ?? 0) : padStartDisplay(c, widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const done = board.streams().filter((p) => MARK[p.phase] !== undefined && p.phase !== 'queued').length;
  return [`${board.title}: ${done}/${rows.length} streams done`, ...lines].join('\n');
}

/** What a plain (not a terminal) display says about a stream's change (the stream name goes in front). */
export function plainProgressLine(board: ProgressBoard, p: StreamProgress): string {
  const ms = board.elapsedMs(p);
  if (p.phase === 'starting' || p.phase === 'retrying')
    return `started${p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}`;
  if (p.phase === 'copying')
    return `${p.rowsWritten} rows written, ${formatBytes(p.bytesRead)} read, ${formatRate(p.rowsWritten, ms)} rows/s`;
  return `${p.phase} (${p.rowsWritten} rows)`;
}

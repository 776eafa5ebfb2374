import type { StreamConfig, TimeoutsConfig } from '../config/index.js';
import { Interrupts } from './interrupts.js';
import type { StreamFailure } from './run-result.js';

/** The limits of `resources.timeouts`. */
export const TIMEOUT_SCOPES = ['stream', 'run'] as const;
/** Which limit of `resources.timeouts` a stream ran past. */
export type TimeoutScope = (typeof TIMEOUT_SCOPES)[number];

export function isTimeoutScope(value: unknown): value is TimeoutScope {
  return (TIMEOUT_SCOPES as readonly unknown[]).includes(value);
}

/**
 * A limit that fires once, `limitMs` after `start()`; a no-op without a limit. The run's limit is
 * shared by every stream of the run (hundreds of CDC streams run at once), so it fans out to its
 * subscribers itself rather than adding one listener per stream to an AbortSignal, which crosses
 * Node's leak threshold (10) and prints a MaxListenersExceededWarning.
 */
export class Deadline {
  readonly scope: TimeoutScope;
  readonly limitMs: number | undefined;
  readonly #callbacks = new Set<() => void>();
  #fired = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(scope: TimeoutScope, limitMs: number | undefined) {
    this.scope = scope;
    this.limitMs = limitMs;
  }

  /** Starts the clock (once; later calls keep the first start). */
  start(): void {
    if (this.limitMs === undefined || this.#timer !== undefined || this.#fired) return;
    this.#timer = setTimeout(() => this.#fire(), this.limitMs);
    // a finished run never waits for its deadline
    this.#timer.unref();
  }

  get expired(): boolean {
    return this.#fired;
  }

  /** Calls `callback` once the limit passes (at once when it already has); returns the unsubscribe. */
  subscribe(callback: () => void): () => void {
    if (this.#fired) {
      callback();
      return () => undefined;
    }
    this.#callbacks.add(callback);
    return () => {
      this.#callbacks.delete(callback);
    };
  }

  clear(): void {
    clearTimeout(this.#timer);
  }

  #fire(): void {
    this.#fired = true;
    const callbacks = [...this.#callbacks];
    this.#callbacks.clear();
    for (const callback of callbacks) callback();
  }
}

/**
 * When one stream must stop: at the run's interrupt (SIGINT/SIGTERM), at its own limit
 * (`timeouts.stream`, counted from its first attempt) or at the run's (`timeouts.run`). Either
 * limit stops the stream through the same `interrupts` a signal goes through, so it drains
 * exactly as on SIGINT: what it committed stays, and the next run resumes from its checkpoint.
 * Unlike a signal, a limit ends the stream `failed` with {@link timeoutFailure}.
 */
export class StreamDeadline {
  /** Fires on the run's interrupt or on either limit. */
  readonly interrupts: Interrupts;
  readonly #own: Deadline;
  readonly #run: Deadline | undefined;
  readonly #controller = new AbortController();
  readonly #unsubscribe: (() => void)[];
  #expired: Deadline | undefined;

  constructor(options: { readonly interrupts: Interrupts; readonly streamMs?: number; readonly run?: Deadline }) {
    this.#own = new Deadline('stream', options.streamMs);
    this.#run = options.run;
    this.interrupts = new Interrupts(this.#controller.signal);
    const stop = (): void => this.#controller.abort();
    const expire = (deadline: Deadline) => (): void => {
      if (!this.#controller.signal.aborted) this.#expired = deadline;
      stop();
    };
    this.#unsubscribe = [
      options.interrupts.subscribe(stop),
      this.#own.subscribe(expire(this.#own)),
      ...(this.#run ? [this.#run.subscribe(expire(this.#run))] : []),
    ];
  }

  /** The stream's first attempt starts: its own limit counts from now. */
  start(): void {
    this.#own.start();
  }

  /**
   * A limit that passed elsewhere stops the stream now, as its own would: a cluster run's
   * coordinator keeps the run's and the stream's clocks and tells the worker running the chain.
   */
  expire(deadline: Deadline): void {
    if (!this.#controller.signal.aborted) this.#expired = deadline;
    this.#controller.abort();
  }

  /** The limit that stopped the stream; undefined when none did (or a signal came first). */
  get expired(): Deadline | undefined {
    return this.#expired;
  }

  close(): void {
    this.#own.clear();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.interrupts.close();
  }
}

/** The error of a stream a limit of `resources.timeouts` stopped. */
export function timeoutFailure(stream: string, deadline: Deadline, committed: boolean): StreamFailure {
  const limit = `resources.timeouts.${deadline.scope} (${formatLimit(deadline.limitMs ?? 0)})`;
  const kept = committed
    ? 'what it committed is kept and the next run resumes from its checkpoint'
    : 'it committed nothing in this run; the next run starts from its last checkpoint, if any';
  return {
    kind: 'permanent',
    code: 'TIMEOUT',
    message: `${stream}: ${deadline.scope === 'run' ? 'the run' : 'the stream'} ran past ${limit}: drained and stopped; ${kept}`,
    stage: 'host',
  };
}

function formatLimit(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * The limits of one run: the run's own, started with the run, and one per stream. A `--follow`
 * run streams until a signal by design, so `timeouts.run` does not apply to it; CDC streams are
 * bounded by `timeouts.run` only (a streaming CDC stream drains when its replication hub stops,
 * which the run's limit does for all of them at once).
 */
export class RunDeadlines {
  readonly run: Deadline;
  readonly #interrupts: Interrupts;
  readonly #streamMs: number | undefined;
  readonly #streams: StreamDeadline[] = [];

  constructor(interrupts: Interrupts, timeouts: TimeoutsConfig, follow: boolean) {
    this.#interrupts = interrupts;
    this.#streamMs = timeouts.streamMs;
    this.run = new Deadline('run', follow ? undefined : timeouts.runMs);
    this.run.start();
  }

  forStream(stream: Pick<StreamConfig, 'syncMode'>): StreamDeadline {
    const deadline = new StreamDeadline({
      interrupts: this.#interrupts,
      ...(stream.syncMode !== 'cdc' && this.#streamMs !== undefined ? { streamMs: this.#streamMs } : {}),
      run: this.run,
    });
    this.#streams.push(deadline);
    return deadline;
  }

  close(): void {
    this.run.clear();
    for (const deadline of this.#streams) deadline.close();
  }
}

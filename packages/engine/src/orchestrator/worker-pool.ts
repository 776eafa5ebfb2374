import { Worker } from 'node:worker_threads';
import { STREAM_WORKER_URL, type WarmWorkers } from './warm-workers.js';
import type { StreamWorkerData } from './stream-task.js';

/** A worker lent to one attempt of a stream. */
export interface WorkerLease {
  readonly worker: Worker;
  /** The worker's number in its pool (1, 2, …) and how many tasks it has been given, this one included. */
  readonly id: number;
  readonly tasks: number;
  /**
   * Gives the worker back. `retire`: the attempt failed, so the worker takes no new task and ends
   * once its other tasks (a shared worker's) have ended — a retry runs on a fresh worker.
   */
  release(retire: boolean): void;
  /** Ends the worker now (a step timeout, a stall, a failed state write): its other tasks are told why. */
  terminate(reason: string): void;
  /** Why the worker was ended under this attempt, when another attempt on it ended it. */
  endedBy(): string | undefined;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly id: number;
  /** Tasks running on it now. */
  running: number;
  /** Tasks it has been given in all. */
  given: number;
  /** Takes no new task; ended when its last task ends. */
  retiring: boolean;
  gone: boolean;
  endedBy?: string;
}

/** How many workers a pool starts. */
export interface WorkerPoolOptions {
  /**
   * At most this many workers. A task goes to an idle worker, else to a new one while there are
   * fewer, else to the least busy one (several tasks then share a worker).
   */
  readonly maxWorkers: number;
  readonly nodeNavigator: boolean;
  /** Workers started ahead of the run: taken before new ones are started. */
  readonly warm?: WarmWorkers | undefined;
}

/**
 * Stream workers kept between streams. Starting a worker thread and loading its modules (Arrow,
 * pg, the codecs, the connectors' bindings) costs more than copying a small table, so a worker
 * runs stream after stream, and light or mostly idle streams (CDC) share one. Each stream still
 * gets fresh component instances (from the modules compiled once per process), its own
 * connections, config and permissions. A worker whose attempt failed takes no new task. An idle
 * worker never keeps the process alive; `close()` ends them all.
 */
export class WorkerPool {
  readonly #workers: PooledWorker[] = [];
  readonly #options: WorkerPoolOptions;
  #maxWorkers: number;
  #started = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#maxWorkers = options.maxWorkers;
  }

  /**
   * Sets the most workers for the tasks acquired from now on (a pool kept between runs is sized
   * for each run). Workers beyond it are not ended: they take tasks while they are idle.
   */
  resize(maxWorkers: number): this {
    this.#maxWorkers = maxWorkers;
    return this;
  }

  /** Workers alive now (idle ones included). */
  get alive(): number {
    return this.#workers.length;
  }

  /** Workers started so far (ended ones included). */
  get started(): number {
    return this.#started;
  }

  /** A worker for one attempt. */
  acquire(): WorkerLease {
    const open = this.#workers.filter((w) => !w.gone && !w.retiring);
    const least = open.reduce<PooledWorker | undefined>(
      (a, w) => (a === undefined || w.running < a.running ? w : a),
      undefined,
    );
    const pooled =
      least && (least.running === 0 || open.length >= Math.max(1, this.#maxWorkers)) ? least : this.#start();
    pooled.running += 1;
    pooled.given += 1;
    if (pooled.running === 1) pooled.worker.ref();
    let released = false;
    return {
      worker: pooled.worker,
      id: pooled.id,
      tasks: pooled.given,
      release: (retire) => {
        if (released) return;
        released = true;
        pooled.running -= 1;
        if (pooled.gone) return;
        pooled.retiring ||= retire;
        if (pooled.running > 0) return;
        if (pooled.retiring) this.#end(pooled);
        else pooled.worker.unref();
      },
      terminate: (reason) => {
        pooled.endedBy ??= reason;
        this.#end(pooled);
      },
      endedBy: () => pooled.endedBy,
    };
  }

  /** Ends every worker (their tasks, if any are left, end with them). */
  async close(): Promise<void> {
    const all = this.#workers.splice(0);
    for (const w of all) w.gone = true;
    await Promise.all(all.map((w) => w.worker.terminate()));
  }

  #start(): PooledWorker {
    const worker =
      this.#options.warm?.take() ??
      new Worker(STREAM_WORKER_URL, {
        workerData: { nodeNavigator: this.#options.nodeNavigator } satisfies StreamWorkerData,
      });
    this.#started += 1;
    const pooled: PooledWorker = { worker, id: this.#started, running: 0, given: 0, retiring: false, gone: false };
    // the attempts on it see an error or exit themselves; the pool only forgets it
    worker.on('error', () => undefined);
    worker.once('exit', () => this.#forget(pooled));
    this.#workers.push(pooled);
    return pooled;
  }

  #end(pooled: PooledWorker): void {
    if (pooled.gone) return;
    this.#forget(pooled);
    void pooled.worker.terminate();
  }

  #forget(pooled: PooledWorker): void {
    pooled.gone = true;
    const i = this.#workers.indexOf(pooled);
    if (i >= 0) this.#workers.splice(i, 1);
  }
}

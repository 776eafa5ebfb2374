import { Worker } from 'node:worker_threads';
import { STREAM_WORKER_URL, type WarmWorkers } from './warm-workers.js';
import type { StreamWorkerData } from './stream-task.js';

/** A worker lent to one attempt of a stream. */
export interface WorkerLease {
  readonly worker: Worker;
  /**
   * Gives the worker back. `retire`: the attempt failed, so its worker is ended rather than kept
   * (a fresh one serves the retry; an exclusive worker only — a shared one goes on serving its
   * other streams). A worker ended meanwhile (terminated, crashed) is never kept.
   */
  release(retire: boolean): void;
  /** The worker is being ended by this attempt (a step timeout, a stall): its other tasks are told why. */
  terminate(reason: string): void;
  /** Why the worker ended under this attempt, when another attempt on it ended it. */
  readonly endedBy: () => string | undefined;
}

interface PooledWorker {
  readonly worker: Worker;
  tasks: number;
  exited: boolean;
  endedBy?: string;
}

/** How a pool shares its workers. */
export interface WorkerPoolOptions {
  /**
   * `exclusive`: one task per worker at a time (the caller bounds how many run: a batch stream
   * holds a `parallelism` permit); a worker whose attempt failed is ended. `shared`: at most
   * `maxWorkers` workers, a task goes to an idle one, else a new one, else the least busy one.
   */
  readonly sharing: 'exclusive' | 'shared';
  /** `shared` only: the most workers the pool starts. */
  readonly maxWorkers?: number;
  readonly nodeNavigator: boolean;
  /** Workers started ahead of the run: taken first. */
  readonly warm?: WarmWorkers | undefined;
}

/**
 * Stream workers kept between streams. Starting a worker thread and loading its modules (Arrow,
 * pg, the codecs, the connectors' bindings) costs more than running a small table, so a worker
 * runs stream after stream; each stream still gets fresh component instances (from the modules
 * compiled once per process), its own connections and its own config and permissions. An idle
 * worker never keeps the process alive; `close()` ends them all.
 */
export class WorkerPool {
  readonly #workers: PooledWorker[] = [];
  readonly #options: WorkerPoolOptions;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Workers alive now. */
  get size(): number {
    return this.#workers.length;
  }

  /** A worker for one attempt: an idle or least busy one, or a new one while under `maxWorkers`. */
  acquire(): WorkerLease {
    const { sharing, maxWorkers = 1 } = this.#options;
    const live = this.#workers.filter((w) => !w.exited);
    const least = live.reduce<PooledWorker | undefined>(
      (a, w) => (a === undefined || w.tasks < a.tasks ? w : a),
      undefined,
    );
    const full = sharing === 'exclusive' || live.length >= Math.max(1, maxWorkers);
    const pooled = least && (least.tasks === 0 || (sharing === 'shared' && full)) ? least : this.#start();
    pooled.tasks += 1;
    if (pooled.tasks === 1) pooled.worker.ref();
    let released = false;
    return {
      worker: pooled.worker,
      release: (retire) => {
        if (released) return;
        released = true;
        pooled.tasks -= 1;
        if (pooled.exited) return;
        if (retire && sharing === 'exclusive') {
          this.#drop(pooled);
          void pooled.worker.terminate();
          return;
        }
        if (pooled.tasks === 0) pooled.worker.unref();
      },
      terminate: (reason) => {
        pooled.endedBy ??= reason;
        this.#drop(pooled);
        void pooled.worker.terminate();
      },
      endedBy: () => pooled.endedBy,
    };
  }

  /** Ends every worker (their tasks, if any are left, end with them). */
  async close(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((w) => w.worker.terminate()));
  }

  #start(): PooledWorker {
    const worker =
      this.#options.warm?.take() ??
      new Worker(STREAM_WORKER_URL, {
        workerData: { nodeNavigator: this.#options.nodeNavigator } satisfies StreamWorkerData,
      });
    const pooled: PooledWorker = { worker, tasks: 0, exited: false };
    // the attempts on it see the exit themselves; the pool forgets it
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      pooled.exited = true;
      this.#drop(pooled);
    });
    this.#workers.push(pooled);
    return pooled;
  }

  #drop(pooled: PooledWorker): void {
    pooled.exited = true;
    const i = this.#workers.indexOf(pooled);
    if (i >= 0) this.#workers.splice(i, 1);
  }
}

import { Worker } from 'node:worker_threads';
import type { StreamWorkerData, WorkerControl } from './stream-task.js';

/** The stream worker's entry (a chain of one stream runs in it). */
export const STREAM_WORKER_URL = new URL('./stream-worker.js', import.meta.url);

/**
 * Stream workers started ahead of their task. Starting a worker costs ~0.3 s of module loading
 * (Arrow, pg, the codecs); a warm worker does that while the main thread is still loading the CLI,
 * reading the config and compiling the components, so the first stream starts that much sooner.
 * A worker not taken is unreferenced (never keeps the process alive) and ended by `close()`.
 */
export class WarmWorkers {
  readonly #spare: Worker[] = [];

  /** `nodeNavigator`: see `WorkerSwitches.nodeNavigator` (default on). */
  constructor(count: number, options: { readonly nodeNavigator?: boolean } = {}) {
    const workerData: StreamWorkerData = { nodeNavigator: options.nodeNavigator !== false };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(STREAM_WORKER_URL, { workerData });
      worker.unref();
      // an error before it is taken surfaces when it is taken (the task never starts): drop it
      worker.once('error', () => this.#drop(worker));
      worker.once('exit', () => this.#drop(worker));
      this.#spare.push(worker);
    }
  }

  /**
   * Has every spare worker load these connectors' bindings (~0.7 MB of JS each) while the main
   * thread is still setting the run up.
   */
  preload(bindingsUrls: readonly string[]): void {
    for (const worker of this.#spare) worker.postMessage({ type: 'preload', bindingsUrls } satisfies WorkerControl);
  }

  /** A warm worker (referenced again), or undefined when none is left. */
  take(): Worker | undefined {
    const worker = this.#spare.shift();
    if (worker) {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      worker.ref();
    }
    return worker;
  }

  /** Ends the workers nobody took. */
  async close(): Promise<void> {
    await Promise.all(this.#spare.splice(0).map((w) => w.terminate()));
  }

  #drop(worker: Worker): void {
    const i = this.#spare.indexOf(worker);
    if (i >= 0) this.#spare.splice(i, 1);
  }
}

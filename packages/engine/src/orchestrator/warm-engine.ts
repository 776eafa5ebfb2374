import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineConfig } from '../config/index.js';
import type { ComponentModules } from '../runtime/component-modules.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { runPipeline, type RunOptions, type RunPools } from './run-pipeline.js';
import type { RunResult } from './run-result.js';
import { WorkerPool } from './worker-pool.js';

/** How a {@link WarmEngine} keeps what it has started. */
export interface WarmEngineOptions {
  /**
   * A pipeline's workers and compiled components are let go after this long without a run of it
   * (default 10 minutes): an idle engine does not hold worker threads and connector instances
   * (tens of megabytes each) for a pipeline that runs once a day.
   */
  readonly idleMs?: number;
  /** See `WorkerSwitches.nodeNavigator` (default on). */
  readonly nodeNavigator?: boolean;
}

/** What a warm run takes: a run's options without those the engine owns. */
export type WarmRunOptions = Omit<RunOptions, 'pools' | 'compiled' | 'warm'>;

export const WARM_ENGINE_IDLE_MS = 10 * 60 * 1000;

interface WarmPipeline {
  /** The connectors' component files when the entry was made (their names, sizes and times). */
  readonly fingerprint: string;
  readonly compiled: Map<string, Promise<ComponentModules>>;
  readonly pools: RunPools;
  running: number;
  idle?: NodeJS.Timeout;
}

/**
 * Runs pipelines again and again in one process without paying their start-up each time: per
 * pipeline it keeps the compiled components and the worker threads (with their loaded modules and
 * connector instances) between runs. The first run of a pipeline starts them as a one-shot run
 * does; the later ones find them ready. Used by `rapidbyte serve` for scheduled runs.
 *
 * A pipeline's entry is started afresh when one of its connectors' component files changed (a
 * rebuilt or upgraded connector is never run from stale modules) and let go after
 * {@link WarmEngineOptions.idleMs} without a run. Runs of different pipelines never share workers;
 * two runs of one pipeline at once are refused by its pipeline lock, as anywhere else.
 */
export class WarmEngine {
  readonly #pipelines = new Map<string, WarmPipeline>();
  readonly #idleMs: number;
  readonly #nodeNavigator: boolean;
  #closed = false;

  constructor(options: WarmEngineOptions = {}) {
    this.#idleMs = options.idleMs ?? WARM_ENGINE_IDLE_MS;
    this.#nodeNavigator = options.nodeNavigator !== false;
  }

  /** Pipelines whose workers and components are kept now. */
  get pipelines(): readonly string[] {
    return [...this.#pipelines.keys()];
  }

  /** Runs a pipeline as {@link runPipeline} does, on the pipeline's kept workers and components. */
  async run(config: PipelineConfig, options: WarmRunOptions): Promise<RunResult> {
    if (this.#closed) throw new Error('the warm engine is closed');
    const entry = await this.#entryFor(config, options.registry);
    entry.running += 1;
    clearTimeout(entry.idle);
    try {
      return await runPipeline(config, { ...options, pools: entry.pools, compiled: entry.compiled });
    } finally {
      entry.running -= 1;
      if (entry.running === 0) {
        if (this.#pipelines.get(config.pipeline) !== entry) {
          // replaced (a connector changed) while this run went on: nobody takes it any more
          await this.#drop(config.pipeline, entry);
        } else {
          entry.idle = setTimeout(() => void this.#drop(config.pipeline, entry), this.#idleMs);
          entry.idle.unref();
        }
      }
    }
  }

  /** Ends every kept worker (runs still going end with them). */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#pipelines.entries()];
    await Promise.all(entries.map(([pipeline, entry]) => this.#drop(pipeline, entry)));
  }

  async #entryFor(config: PipelineConfig, registry: ConnectorRegistry): Promise<WarmPipeline> {
    const fingerprint = await componentFingerprint(config, registry);
    const kept = this.#pipelines.get(config.pipeline);
    if (kept && kept.fingerprint === fingerprint) return kept;
    // a changed connector: the workers have its old bindings in their module cache, so they go too
    if (kept && kept.running === 0) await this.#drop(config.pipeline, kept);
    const nodeNavigator = this.#nodeNavigator;
    const entry: WarmPipeline = {
      fingerprint,
      compiled: new Map(),
      pools: {
        batch: new WorkerPool({ maxWorkers: 1, nodeNavigator }),
        cdc: new WorkerPool({ maxWorkers: 1, nodeNavigator }),
      },
      running: 0,
    };
    this.#pipelines.set(config.pipeline, entry);
    return entry;
  }

  async #drop(pipeline: string, entry: WarmPipeline): Promise<void> {
    clearTimeout(entry.idle);
    if (this.#pipelines.get(pipeline) === entry) this.#pipelines.delete(pipeline);
    await Promise.all([entry.pools.batch.close(), entry.pools.cdc.close()]);
  }
}

/**
 * The names, sizes and modification times of the component files (core modules and bindings) of
 * every connector a pipeline uses: a connector rebuilt or upgraded in place changes it.
 */
async function componentFingerprint(config: PipelineConfig, registry: ConnectorRegistry): Promise<string> {
  const refs = [config.source, config.destination, ...config.transforms];
  const parts = await Promise.all(
    refs.map(async (ref) => {
      const found = registry.resolve(ref.use);
      if (!found?.built) return `${ref.use}:-`;
      const names = (await readdir(found.bindingsDir)).filter((n) => n.endsWith('.wasm') || n.endsWith('.js')).sort();
      const stats = await Promise.all(names.map((n) => stat(join(found.bindingsDir, n))));
      return `${found.dir}:${names.map((n, i) => `${n}/${stats[i]?.size}/${stats[i]?.mtimeMs}`).join(',')}`;
    }),
  );
  return parts.join('|');
}

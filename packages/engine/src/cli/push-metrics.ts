import type { RunEvent } from '../orchestrator/run-event.js';

/** How often a running `run --pushgateway` pushes (a `--follow` run lasts); the last push is at exit. */
const PUSH_EVERY_MS = 15_000;
/** One push's timeout: a Pushgateway that does not answer never holds up the run or its exit. */
const PUSH_TIMEOUT_MS = 10_000;

/** `--pushgateway` as a URL, or a usage problem naming the option and the value. */
export function parsePushgateway(value: string): { url: string } | { problem: string } {
  if (/^https?:\/\/[^\s/?#]+/i.test(value) && URL.canParse(value)) return { url: value.replace(/\/+$/, '') };
  return { problem: `--pushgateway must be an http:// or https:// URL, got ${JSON.stringify(value)}` };
}

/**
 * `run --pushgateway <url>`: the same counters `serve` exposes at /metrics, for one run, pushed
 * (PUT, replacing the group) to `<url>/metrics/job/rapidbyte/pipeline/<pipeline>` every 15 s and at
 * the end. A failed push is reported through `warn` and never changes the run's outcome.
 */
export class MetricsPusher {
  readonly #target: string;
  readonly #pipeline: string;
  readonly #warn: (message: string) => void;
  readonly #metrics: import('../serve/serve-metrics.js').ServeMetrics;
  #timer: NodeJS.Timeout | undefined;
  #pushing: Promise<void> = Promise.resolve();

  private constructor(
    url: string,
    pipeline: string,
    metrics: import('../serve/serve-metrics.js').ServeMetrics,
    warn: (message: string) => void,
  ) {
    this.#target = `${url}/metrics/job/rapidbyte/pipeline/${encodeURIComponent(pipeline)}`;
    this.#pipeline = pipeline;
    this.#metrics = metrics;
    this.#warn = warn;
  }

  /** Loads the metrics code (prom-client) only when a run asks for it. */
  static async create(url: string, pipeline: string, warn: (message: string) => void): Promise<MetricsPusher> {
    const { ServeMetrics } = await import('../serve/serve-metrics.js');
    const metrics = new ServeMetrics({ outboxDepth: () => Promise.resolve(new Map()) });
    const pusher = new MetricsPusher(url, pipeline, metrics, warn);
    pusher.#timer = setInterval(() => void pusher.#push(), PUSH_EVERY_MS);
    pusher.#timer.unref();
    return pusher;
  }

  onEvent(event: RunEvent): void {
    this.#metrics.onRunEvent(this.#pipeline, event);
  }

  /** The last push, with the run's final counters. */
  async finish(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pushing;
    await this.#push();
  }

  #push(): Promise<void> {
    this.#pushing = this.#pushing.then(async () => {
      try {
        const { contentType, body } = await this.#metrics.render();
        const response = await fetch(this.#target, {
          method: 'PUT',
          headers: { 'content-type': contentType },
          body,
          signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
        });
        if (!response.ok) this.#warn(`pushing metrics to ${new URL(this.#target).origin}: HTTP ${response.status}`);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        this.#warn(
          `pushing metrics to ${new URL(this.#target).origin} failed: ${cause ?? (error instanceof Error ? error.message : String(error))}`,
        );
      }
    });
    return this.#pushing;
  }
}

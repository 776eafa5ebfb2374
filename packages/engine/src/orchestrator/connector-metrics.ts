/** A connector metric name: lower-case letters, digits and `_`, starting with a letter (it becomes a Prometheus label value). */
export const CONNECTOR_METRIC_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Distinct metric names one stage of a stream may report; more are dropped (bounded label cardinality). */
export const MAX_CONNECTOR_METRICS = 32;

/**
 * One metric a connector reported since the last flush: a `counter` (name ends in `_total`) carries
 * the sum of the values reported since then, a `gauge` the last value.
 */
export interface ConnectorMetricSample {
  readonly name: string;
  readonly kind: 'counter' | 'gauge';
  readonly value: number;
}

/**
 * What a stage's `metric(name, value)` host calls add up to between two flushes: a connector may
 * call it per row, so the worker posts one sample per name and flush, not one message per call.
 * Names are validated; values of counters must be finite and non-negative, of gauges finite.
 */
export class ConnectorMetrics {
  readonly #pending = new Map<string, ConnectorMetricSample>();
  readonly #known = new Set<string>();
  readonly #refused = new Set<string>();

  /** Records one call; returns a warning the first time a name or value is refused (later refusals are silent). */
  record(name: string, value: number): string | undefined {
    const kind = name.endsWith('_total') ? 'counter' : 'gauge';
    const why = !CONNECTOR_METRIC_NAME.test(name)
      ? `metric name ${JSON.stringify(name.slice(0, 80))} is not [a-z][a-z0-9_]* (at most 63 characters); dropped`
      : !Number.isFinite(value) || (kind === 'counter' && value < 0)
        ? `metric ${name}: ${String(value)} is not a ${kind === 'counter' ? 'finite non-negative' : 'finite'} number; dropped`
        : !this.#known.has(name) && this.#known.size >= MAX_CONNECTOR_METRICS
          ? `metric ${name}: a stage may report at most ${MAX_CONNECTOR_METRICS} metric names; dropped`
          : undefined;
    if (why !== undefined) {
      if (this.#refused.has(why)) return undefined;
      this.#refused.add(why);
      return why;
    }
    this.#known.add(name);
    const before = this.#pending.get(name);
    this.#pending.set(name, { name, kind, value: kind === 'counter' ? (before?.value ?? 0) + value : value });
    return undefined;
  }

  /** The samples since the last flush (empty when nothing was reported). */
  flush(): ConnectorMetricSample[] {
    const samples = [...this.#pending.values()];
    this.#pending.clear();
    return samples;
  }
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryAttempt } from '../events/delivery-worker.js';
import type { RunEvent } from '../orchestrator/run-event.js';
import type { StreamCounters } from '../orchestrator/stream-task.js';
import type { SlotLag } from './slot-lag-probe.js';
import type { ProjectStateStores } from './project-state.js';

/** Every metric `GET /metrics` exposes (all prefixed `rapidbyte_`); tests and the README read this list. */
export const METRIC_NAMES = [
  'rapidbyte_stream_rows_read_total',
  'rapidbyte_stream_rows_written_total',
  'rapidbyte_stream_bytes_read_total',
  'rapidbyte_stream_bytes_written_total',
  'rapidbyte_stream_retries_total',
  'rapidbyte_stream_dead_letters_total',
  'rapidbyte_runs_total',
  'rapidbyte_run_duration_seconds',
  'rapidbyte_cdc_slot_lag_bytes',
  'rapidbyte_cdc_lag_seconds',
  'rapidbyte_alert_firing',
  'rapidbyte_alert_checks_total',
  'rapidbyte_outbox_pending_deliveries',
  'rapidbyte_webhook_deliveries_total',
  'rapidbyte_connector_counter_total',
  'rapidbyte_connector_gauge',
] as const;

/** Connector metric series (pipeline × stream × stage × name) one serve keeps; more are dropped. */
export const MAX_CONNECTOR_SERIES = 2000;

/** Run durations: from seconds (a small table) to a day (a long follower). */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600];

/** The counters of progress a stream has reported in the current run, and in its current attempt. */
interface StreamSeen {
  attempt: StreamCounters;
  run: StreamCounters;
}

type Counted = 'rowsRead' | 'rowsWritten' | 'bytesRead' | 'bytesWritten' | 'rowsDeadLettered';
const COUNTED: readonly Counted[] = ['rowsRead', 'rowsWritten', 'bytesRead', 'bytesWritten', 'rowsDeadLettered'];
const ZERO: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };

export interface ServeMetricsOptions {
  /** Pending deliveries per pipeline, read at each scrape. */
  readonly outboxDepth: () => Promise<ReadonlyMap<string, number>>;
}

/**
 * The Prometheus metrics of one serve process, in its own registry (never the library's global
 * one: two serve instances in one process must not share counters). Stream counters grow while a
 * run goes: they are fed from its live progress events, as differences between reports, and topped
 * up from the stream's final result.
 */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly #counters: Record<Counted, Counter<'pipeline' | 'stream'>>;
  readonly #retries: Counter<'pipeline' | 'stream'>;
  readonly #runs: Counter<'pipeline' | 'status'>;
  readonly #duration: Histogram<'pipeline' | 'status'>;
  readonly #slotLag: Gauge<'pipeline' | 'slot'>;
  readonly #lagSeconds: Gauge<'pipeline' | 'slot'>;
  readonly #alerts: Gauge<'pipeline' | 'alert'>;
  readonly #alertChecks: Counter<'pipeline'>;
  readonly #deliveries: Counter<'pipeline' | 'outcome'>;
  readonly #connectorCounter: Counter<'pipeline' | 'stream' | 'stage' | 'name'>;
  readonly #connectorGauge: Gauge<'pipeline' | 'stream' | 'stage' | 'name'>;
  readonly #connectorSeries = new Set<string>();
  readonly #seen = new Map<string, StreamSeen>();

  constructor(options: ServeMetricsOptions) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    const perStream = ['pipeline', 'stream'] as const;
    this.#counters = {
      rowsRead: counter(
        'rapidbyte_stream_rows_read_total',
        'Rows the source emitted (retried attempts count again)',
        perStream,
      ),
      rowsWritten: counter('rapidbyte_stream_rows_written_total', 'Rows the destination committed', perStream),
      bytesRead: counter('rapidbyte_stream_bytes_read_total', 'Bytes read from the source', perStream),
      bytesWritten: counter('rapidbyte_stream_bytes_written_total', 'Bytes the destination committed', perStream),
      rowsDeadLettered: counter('rapidbyte_stream_dead_letters_total', 'Rows sent to the dead-letter queue', perStream),
    };
    this.#retries = counter('rapidbyte_stream_retries_total', 'Attempts of a stream after its first', perStream);
    this.#runs = counter('rapidbyte_runs_total', 'Finished runs by outcome', ['pipeline', 'status']);
    this.#duration = new Histogram({
      name: 'rapidbyte_run_duration_seconds',
      help: 'Duration of finished runs',
      labelNames: ['pipeline', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#slotLag = new Gauge({
      name: 'rapidbyte_cdc_slot_lag_bytes',
      help: 'WAL the replication slot retains behind its confirmed position (pg_current_wal_lsn() - confirmed_flush_lsn)',
      labelNames: ['pipeline', 'slot'],
      registers,
    });
    this.#lagSeconds = new Gauge({
      name: 'rapidbyte_cdc_lag_seconds',
      help: "The follower's replication lag (the walsender's replay_lag; 0 when caught up), while it follows",
      labelNames: ['pipeline', 'slot'],
      registers,
    });
    this.#alerts = new Gauge({
      name: 'rapidbyte_alert_firing',
      help: '1 while the alert fires, 0 otherwise',
      labelNames: ['pipeline', 'alert'],
      registers,
    });
    this.#alertChecks = counter('rapidbyte_alert_checks_total', "Evaluations of a pipeline's alerts", ['pipeline']);
    new Gauge({
      name: 'rapidbyte_outbox_pending_deliveries',
      help: 'Webhook deliveries waiting in the outbox',
      labelNames: ['pipeline'],
      registers,
      async collect() {
        this.reset();
        for (const [pipeline, n] of await options.outboxDepth()) this.set({ pipeline }, n);
      },
    });
    this.#deliveries = counter('rapidbyte_webhook_deliveries_total', 'Webhook delivery attempts by outcome', [
      'pipeline',
      'outcome',
    ]);
    const perMetric = ['pipeline', 'stream', 'stage', 'name'] as const;
    this.#connectorCounter = counter(
      'rapidbyte_connector_counter_total',
      "Connectors' metric() counters (names ending _total)",
      perMetric,
    );
    this.#connectorGauge = new Gauge({
      name: 'rapidbyte_connector_gauge',
      help: "Connectors' metric() gauges (the last value reported)",
      labelNames: perMetric,
      registers,
    });
  }

  /** Feeds one event of a run of `pipeline`. */
  onRunEvent(pipeline: string, event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        for (const stream of event.streams) this.#seen.set(key(pipeline, stream), { attempt: ZERO, run: ZERO });
        break;
      case 'stream-started':
        if (event.attempt > 1) this.#retries.inc({ pipeline, stream: event.stream });
        this.#seenOf(pipeline, event.stream).attempt = ZERO;
        break;
      case 'stream-progress': {
        const seen = this.#seenOf(pipeline, event.stream);
        const added: Partial<StreamCounters> = {};
        for (const field of COUNTED) {
          const delta = (event.counters[field] ?? 0) - (seen.attempt[field] ?? 0);
          // a smaller value is a new attempt of a shard: nothing is added, the new value is the base
          if (delta > 0) this.#counters[field].inc({ pipeline, stream: event.stream }, delta);
          added[field] = (seen.run[field] ?? 0) + Math.max(0, delta);
        }
        seen.attempt = event.counters;
        seen.run = { ...seen.run, ...added };
        break;
      }
      case 'stream-finished': {
        // the result counts every attempt: what the progress reports missed is added now
        const seen = this.#seenOf(pipeline, event.result.stream);
        for (const field of COUNTED) {
          const missing = (event.result[field] ?? 0) - (seen.run[field] ?? 0);
          if (missing > 0) this.#counters[field].inc({ pipeline, stream: event.result.stream }, missing);
        }
        this.#seen.delete(key(pipeline, event.result.stream));
        break;
      }
      case 'connector-metrics':
        for (const sample of event.samples) {
          const labels = { pipeline, stream: event.stream, stage: event.stage, name: sample.name };
          const series = `${sample.kind}\u0000${key(pipeline, event.stream)}\u0000${event.stage}\u0000${sample.name}`;
          if (!this.#connectorSeries.has(series)) {
            if (this.#connectorSeries.size >= MAX_CONNECTOR_SERIES) continue;
            this.#connectorSeries.add(series);
          }
          if (sample.kind === 'counter') this.#connectorCounter.inc(labels, sample.value);
          else this.#connectorGauge.set(labels, sample.value);
        }
        break;
      case 'run-finished':
        this.#runs.inc({ pipeline, status: event.result.status });
        this.#duration.observe({ pipeline, status: event.result.status }, event.result.durationMs / 1000);
        break;
      default:
        break;
    }
  }

  recordSlotLag(pipeline: string, lag: SlotLag): void {
    this.#slotLag.set({ pipeline, slot: lag.slot }, lag.lagBytes);
    if (lag.lagSeconds === undefined) this.#lagSeconds.remove({ pipeline, slot: lag.slot });
    else this.#lagSeconds.set({ pipeline, slot: lag.slot }, lag.lagSeconds);
  }

  recordAlert(pipeline: string, alert: string, firing: boolean): void {
    this.#alerts.set({ pipeline, alert }, firing ? 1 : 0);
  }

  /** One evaluation of the pipeline's alerts ended. */
  recordAlertCheck(pipeline: string): void {
    this.#alertChecks.inc({ pipeline });
  }

  recordDelivery(attempt: DeliveryAttempt): void {
    if (attempt.outcome !== 'lost') this.#deliveries.inc({ pipeline: attempt.pipeline, outcome: attempt.outcome });
  }

  /** The text exposition format, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #seenOf(pipeline: string, stream: string): StreamSeen {
    let seen = this.#seen.get(key(pipeline, stream));
    if (seen === undefined) {
      seen = { attempt: ZERO, run: ZERO };
      this.#seen.set(key(pipeline, stream), seen);
    }
    return seen;
  }
}

const key = (pipeline: string, stream: string): string => `${pipeline}\u0000${stream}`;

/** Pending deliveries per pipeline over every state DB serve has opened. */
export async function outboxDepth(stores: ProjectStateStores): Promise<Map<string, number>> {
  const depth = new Map<string, number>();
  for (const store of await stores.all())
    for (const d of await store.listDeliveries({ status: 'pending' }))
      depth.set(d.pipeline, (depth.get(d.pipeline) ?? 0) + 1);
  return depth;
}

import type { DeliveryAttempt } from '../events/delivery-worker.js';
import type { DeliveryRecord, EventRecord } from '../state/index.js';

/** An event as `events list --json` prints it: with its deliveries (targets shown by label and key only). */
export interface EventView extends EventRecord {
  deliveries: (Omit<DeliveryRecord, 'eventId' | 'pipeline'> & { label?: string })[];
}

/** One line per event (id, time, type, pipeline, run, stream, short summary), then its deliveries indented. */
export function formatEvents(events: readonly EventView[]): string {
  if (events.length === 0) return 'no events';
  const lines: string[] = [];
  for (const e of events) {
    const where = [e.pipeline, e.runId === undefined ? '' : `run ${e.runId}`, e.stream ?? '']
      .filter((s) => s !== '')
      .join('  ');
    lines.push(`${String(e.id).padStart(5)}  ${e.at}  ${e.type.padEnd(18)} ${where}${summaryOf(e)}`);
    for (const d of e.deliveries) {
      const last = d.lastError === undefined ? '' : `  last: ${d.lastError}`;
      const when =
        d.status === 'pending'
          ? `  next ${d.nextAttemptAt}`
          : d.deliveredAt === undefined
            ? ''
            : `  at ${d.deliveredAt}`;
      lines.push(
        `         -> ${d.label ?? d.target}: ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${when}${last}`,
      );
    }
  }
  return `${lines.join('\n')}\n${events.length} event(s)`;
}

function summaryOf(e: EventRecord): string {
  const error = e.payload.error as { code?: unknown; message?: unknown } | undefined;
  if (error !== undefined) return `  ${String(error.code)}: ${String(error.message)}`;
  if (e.type === 'rows.dead_lettered') return `  ${String(e.payload.rows)} rows`;
  // a partial run is reported as run.failed
  if (e.type === 'run.failed' && e.payload.status === 'partial') return '  (partial)';
  return '';
}

/** A delivery attempt in words, for stderr (`run`) or stdout (`events deliver`). */
export function formatAttempt(a: DeliveryAttempt): string {
  const what = `event ${a.eventId} (${a.eventType}) to ${a.target}`;
  switch (a.outcome) {
    case 'delivered':
      return `delivered ${what}: HTTP ${a.status ?? 200}`;
    case 'retry':
      return `could not deliver ${what}: ${a.error ?? 'failed'}; retry at ${a.nextAttemptAt ?? '?'}`;
    case 'dead':
      return `gave up on ${what}: ${a.error ?? 'failed'} (past its max age: marked dead; \`rapidbyte events redeliver ${a.eventId}\` queues it again)`;
    case 'lost':
      return `sent ${what}, but its claim had expired and another worker took it over`;
  }
}

import type { NotificationFormat } from '../config/notification-config.js';
import type { EventRecord } from '../state/event-records.js';

/**
 * The JSON body of an event: its identity, where it happened and its payload as `data` (a run
 * event's `data.streams` is the run's per-stream summary: status, attempts, counts, error).
 */
export function jsonWebhookBody(event: EventRecord): Record<string, unknown> {
  return {
    id: event.uid,
    sequence: event.id,
    type: event.type,
    at: event.at,
    pipeline: event.pipeline,
    ...(event.runId === undefined ? {} : { runId: event.runId }),
    ...(event.stream === undefined ? {} : { stream: event.stream }),
    data: event.payload,
  };
}

const RUN_ICONS: Readonly<Record<string, string>> = {
  'run.started': ':arrow_forward:',
  'run.succeeded': ':white_check_mark:',
  'run.failed': ':x:',
  'run.interrupted': ':warning:',
  'run.cancelled': ':no_entry_sign:',
};

const RUN_WORDS: Readonly<Record<string, string>> = {
  running: 'started',
  partial: 'failed (some streams succeeded)',
  interrupted: 'was interrupted (its process went away)',
  cancelled: 'was cancelled',
};

/** A Slack incoming-webhook message: one line saying what happened, then one per stream of a run event. */
export function slackWebhookBody(event: EventRecord): { text: string } {
  const data = event.payload;
  const run = event.runId === undefined ? '' : ` run ${event.runId}`;
  const lines: string[] = [];
  if (event.type.startsWith('run.')) {
    const status = typeof data.status === 'string' ? data.status : event.type.slice(4);
    lines.push(
      `${RUN_ICONS[event.type] ?? ''} Pipeline *${escape(event.pipeline)}*${run} ${RUN_WORDS[status] ?? status}`.trim(),
    );
    if (typeof data.reason === 'string' && event.type !== 'run.failed') lines.push(`Reason: ${escape(data.reason)}`);
    for (const s of Array.isArray(data.streams) ? (data.streams as Record<string, unknown>[]) : [])
      lines.push(`• ${streamLine(s)}`);
  } else if (event.type.startsWith('stream.')) {
    lines.push(`Pipeline *${escape(event.pipeline)}*${run}: ${streamLine({ ...data, stream: event.stream })}`);
  } else if (event.type === 'rows.dead_lettered') {
    lines.push(
      `:inbox_tray: Pipeline *${escape(event.pipeline)}*${run}: ${String(data.rows)} rows of ${escape(event.stream ?? '')} were dead-lettered`,
    );
  } else if (typeof data.alert === 'string' && typeof data.message === 'string') {
    const icon = data.state === 'firing' ? ':rotating_light:' : ':white_check_mark:';
    lines.push(`${icon} Pipeline *${escape(event.pipeline)}*: ${escape(data.message)}`);
  } else if (event.type === 'notification.test') {
    lines.push(`:wave: Test notification from rapidbyte for pipeline *${escape(event.pipeline)}*`);
  } else {
    lines.push(
      `Pipeline *${escape(event.pipeline)}*${run}${event.stream === undefined ? '' : ` stream ${escape(event.stream)}`}: ${event.type} ${escape(JSON.stringify(data))}`,
    );
  }
  return { text: lines.join('\n') };
}

/** The request body of `event` for a target of `format`. */
export function webhookBody(event: EventRecord, format: NotificationFormat): string {
  return JSON.stringify(format === 'slack' ? slackWebhookBody(event) : jsonWebhookBody(event));
}

function streamLine(s: Record<string, unknown>): string {
  const name = escape(String(s.stream ?? ''));
  const attempts = typeof s.attempts === 'number' ? ` after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}` : '';
  const error = s.error as { code?: unknown; message?: unknown } | undefined;
  const written = typeof s.rowsWritten === 'number' ? `, ${s.rowsWritten.toLocaleString('en-US')} rows written` : '';
  if (error !== undefined && s.status !== 'succeeded') {
    return `\`${name}\` ${String(s.status)}${attempts}: ${escape(`${String(error.code)}: ${String(error.message)}`)}`;
  }
  return `\`${name}\` ${String(s.status)}${s.status === 'succeeded' ? written : ''}`;
}

/** Slack's control characters in text: `&`, `<` and `>`. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

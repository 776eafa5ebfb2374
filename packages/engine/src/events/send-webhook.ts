import type { NotificationConfig } from '../config/notification-config.js';
import type { EventRecord } from '../state/event-records.js';
import { webhookBody } from './webhook-payload.js';
import { WEBHOOK_HEADERS, signWebhook } from './webhook-signature.js';

/** How a receiver answered: `ok` for a 2xx; `status` absent when it did not answer (refused, timed out). */
export interface WebhookResponse {
  readonly ok: boolean;
  readonly status?: number;
  /** Why it failed, without the target's URL path, headers or secret. */
  readonly error?: string;
  /** The start of the receiver's answer (for `notify test`). */
  readonly body?: string;
}

export interface SendWebhookOptions {
  /** Aborts the request after this long. */
  readonly timeoutMs: number;
  /** Unix time in ms, for the signature's timestamp. */
  readonly now: number;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

const MAX_ANSWER = 512;

/** POSTs `event` to `target`, signed and with its id, and reports the answer; never throws. */
export async function sendWebhook(
  target: NotificationConfig,
  event: EventRecord,
  options: SendWebhookOptions,
): Promise<WebhookResponse> {
  const body = webhookBody(event, target.format);
  const timestamp = Math.floor(options.now / 1000);
  const headers: Record<string, string> = {
    ...target.headers,
    'Content-Type': 'application/json',
    'User-Agent': 'rapidbyte-webhook',
    [WEBHOOK_HEADERS.eventId]: event.uid,
    [WEBHOOK_HEADERS.eventType]: event.type,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    'Idempotency-Key': event.uid,
    ...(target.secret === undefined
      ? {}
      : { [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, timestamp, body) }),
  };
  const signals = [AbortSignal.timeout(Math.max(1, options.timeoutMs)), ...(options.signal ? [options.signal] : [])];
  try {
    const response = await (options.fetch ?? fetch)(target.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any(signals),
      redirect: 'manual',
    });
    const answer = (await response.text().catch(() => '')).slice(0, MAX_ANSWER);
    return response.ok
      ? { ok: true, status: response.status, body: answer }
      : {
          ok: false,
          status: response.status,
          error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
          body: answer,
        };
  } catch (error) {
    return { ok: false, error: describeFailure(error, options.timeoutMs) };
  }
}

/** A fetch failure in words: the cause's code (ECONNREFUSED, ...) or the timeout; never the URL. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: unknown; message?: unknown } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e.name === 'AbortError') return 'aborted';
  const code = e.cause?.code;
  if (typeof code === 'string') return `request failed: ${code}`;
  return `request failed: ${typeof e.cause?.message === 'string' ? e.cause.message : String((error as Error).message ?? error)}`;
}

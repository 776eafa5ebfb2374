import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers every webhook request carries (names as sent; HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = Object.freeze({
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the target's secret>` */
  signature: 'X-Rapidbyte-Signature',
  /** Unix seconds when the request was signed; a receiver rejects old ones (replays). */
  timestamp: 'X-Rapidbyte-Timestamp',
  /** The event's unique id: the same on every retry and redelivery of it, so a receiver can drop duplicates. */
  eventId: 'X-Rapidbyte-Event-Id',
  eventType: 'X-Rapidbyte-Event-Type',
});

/** The signature header's value of `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (the README shows the same steps): recompute the HMAC over
 * `<timestamp>.<raw body>`, compare in constant time, and refuse a timestamp older than
 * `toleranceSeconds`.
 */
export function verifyWebhookSignature(options: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const { signature, timestamp } = options;
  if (signature === undefined || timestamp === undefined || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(options.nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(options.secret, Number(timestamp), options.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

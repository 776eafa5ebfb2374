import { DEFAULT_ALERT_CHECK_MS, type AlertsConfig } from './alerts-config.js';
import type { IssueCollector } from './issue-collector.js';
import { parseByteSize } from './parse-byte-size.js';
import { parseDuration } from './parse-duration.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated input
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- reads of Raw, as above */

/** `alerts` of a validated raw document; absent when the key is. */
export function buildAlertsConfig(doc: Raw): { alerts?: AlertsConfig } {
  const raw: Raw | undefined = doc.alerts;
  if (raw === undefined) return {};
  return {
    alerts: {
      ...(raw.stale_after !== undefined && { staleAfterMs: parseDuration(raw.stale_after) as number }),
      ...(raw.slot_lag_bytes !== undefined && { slotLagBytes: parseByteSize(raw.slot_lag_bytes) as number }),
      ...(raw.consecutive_failures !== undefined && { consecutiveFailures: Number(raw.consecutive_failures) }),
      ...(raw.dead_letters !== undefined && { deadLetters: Number(raw.dead_letters) }),
      checkEveryMs: raw.check_every === undefined ? DEFAULT_ALERT_CHECK_MS : (parseDuration(raw.check_every) as number),
    },
  };
}

/**
 * What the schema cannot say about `alerts`: '0s' and '0mb' match the patterns but are not
 * positive; a slot lag alert needs a CDC stream (only those have a slot).
 */
export function checkAlerts(data: unknown, issues: IssueCollector): void {
  if (typeof data !== 'object' || data === null) return;
  const doc = data as Raw;
  const alerts: unknown = doc.alerts;
  if (typeof alerts !== 'object' || alerts === null) return;
  const raw = alerts as Raw;
  for (const key of ['stale_after', 'check_every']) {
    const value: unknown = raw[key];
    if ((typeof value === 'string' || typeof value === 'number') && parseDuration(value) === undefined)
      issues.add(
        ['alerts', key],
        `alerts.${key} must be a positive duration like '2h', '30m' or '30s', got ${issues.show(['alerts', key], value)}`,
      );
  }
  const lag: unknown = raw.slot_lag_bytes;
  if ((typeof lag === 'string' || typeof lag === 'number') && parseByteSize(lag) === undefined)
    issues.add(
      ['alerts', 'slot_lag_bytes'],
      `alerts.slot_lag_bytes must be a positive size like '1gb' or '512mb', got ${issues.show(['alerts', 'slot_lag_bytes'], lag)}`,
    );
  const streams: unknown = (doc.source as Raw | undefined)?.streams;
  const hasCdc = Array.isArray(streams) && streams.some((s) => (s as Raw | null)?.sync_mode === 'cdc');
  if (lag !== undefined && !hasCdc)
    issues.add(
      ['alerts', 'slot_lag_bytes'],
      `alerts.slot_lag_bytes: ${issues.show(['alerts', 'slot_lag_bytes'], lag)} needs a stream with sync_mode: cdc (only CDC pipelines have a replication slot); remove it or add a CDC stream`,
    );
}

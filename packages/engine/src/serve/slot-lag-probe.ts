import { dirname } from 'node:path';
import { parseConnectionConfig, type ConnectionConfig } from '@rapidbyte/sdk/postgres';
import type { PipelineConfig } from '../config/index.js';
import { capabilityPolicyOf } from '../orchestrator/capability-policy-of.js';
import { checkHost } from '../runtime/capability-policy.js';
import { connectPgClient } from '../runtime/connect-pg-client.js';

/** What serve reads about a CDC pipeline's replication slot on its source. */
export interface SlotLag {
  readonly slot: string;
  /** `pg_current_wal_lsn() - confirmed_flush_lsn`: WAL the slot retains that the pipeline has not confirmed. */
  readonly lagBytes: number;
  /** The walsender's `replay_lag` while the pipeline follows (0 when caught up), absent while nothing follows. */
  readonly lagSeconds?: number;
}

/**
 * The slot a CDC pipeline's source uses: `source.config.cdc.slot_name`, else `rapidbyte_<pipeline>`
 * sanitised to `[a-z0-9_]`, at most 63 bytes — the rule of source-postgres, which names the slot.
 */
export function pipelineSlotName(config: PipelineConfig): string {
  const cdc = (config.source.config as { cdc?: { slot_name?: unknown } }).cdc;
  if (typeof cdc?.slot_name === 'string') return cdc.slot_name;
  return (
    `rapidbyte_${config.pipeline}`
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 63) || 'rapidbyte'
  );
}

/**
 * Reads the lag of the pipeline's slot on its source, through the source's own connection
 * settings and network permissions; undefined when the slot does not exist (yet). Rejects when
 * the source cannot be reached (the caller keeps the alert's state).
 */
export async function probeSlotLag(config: PipelineConfig): Promise<SlotLag | undefined> {
  const parsed = parseConnectionConfig(config.source.config as ConnectionConfig, `rapidbyte/${config.pipeline}/alerts`);
  if (!parsed.ok) throw new Error(`source.config.${parsed.key} ${parsed.message}`);
  checkHost(capabilityPolicyOf(config.source, 'source', dirname(config.file)), parsed.value.host, parsed.value.port);
  const slot = pipelineSlotName(config);
  const client = await connectPgClient(parsed.value);
  client.on('error', () => undefined);
  try {
    const r = await client.query<{ lag: string | null; seconds: string | null; active: boolean }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::int8::text AS lag,
              extract(epoch FROM r.replay_lag)::text AS seconds, s.active
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.slot_name = $1`,
      [slot],
    );
    const row = r.rows[0];
    if (row?.lag == null) return undefined;
    return {
      slot,
      lagBytes: Math.max(0, Number(row.lag)),
      ...(row.active && { lagSeconds: row.seconds === null ? 0 : Number(row.seconds) }),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

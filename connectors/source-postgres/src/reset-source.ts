import { closeQuietly, log, openConnection, pg, type OperationInput, type Step } from '@rapidbyte/sdk';
import { cdcNames } from './cdc-names.js';
import type { SourceConfig } from './source-config.js';

/** What `reset` released at the source. */
export interface ResetReport {
  readonly droppedSlot: string | null;
}

/**
 * `reset`: after the whole pipeline's state was reset, drop its replication slot so the source
 * stops retaining WAL for it (the next run creates it again and re-snapshots every CDC stream).
 * Resetting single streams needs nothing here: they re-snapshot through a temporary slot.
 */
export function* resetSource({ config, context }: OperationInput<SourceConfig>): Step<ResetReport> {
  if (context.resetScope !== 'pipeline') return { droppedSlot: null };
  const { slot } = cdcNames(config.cdc, context.pipeline);
  const conn = yield* openConnection(config, `rapidbyte/${context.pipeline}/reset`);
  try {
    const r = yield* pg.query(
      conn,
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND slot_type = 'logical'`,
      [slot],
    );
    const dropped = r.rows.length > 0;
    if (dropped) log.info(`dropped replication slot "${slot}"`);
    return { droppedSlot: dropped ? slot : null };
  } finally {
    yield* closeQuietly(conn);
  }
}

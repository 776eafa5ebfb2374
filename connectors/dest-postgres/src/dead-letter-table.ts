import { log, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { createIgnoringRace, tableOid } from './target-table.js';

/**
 * `destination.dlq.table`: rows the destination rejected under `on_data_error: dlq`, in the
 * destination schema, written in the same transaction as the interval's good rows and watermark
 * (so a replayed interval never adds them twice).
 */
function deadLetterTableDdl(schema: string, table: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(schema, table)} (` +
    'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id bigint NOT NULL, stream text NOT NULL, ' +
    'record jsonb NOT NULL, error text NOT NULL, category text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())'
  );
}

/** Inserts one dead letter: $1 run id, $2 stream, $3 record (JSON text), $4 error, $5 category. */
export function insertDeadLetterSql(schema: string, table: string): string {
  return `INSERT INTO ${quoteQualified(schema, table)} (run_id, stream, record, error, category) VALUES ($1, $2, $3::jsonb, $4, $5)`;
}

/** Creates the dead-letter table when it is missing (a concurrent create by another stream is fine). */
export function* ensureDeadLetterTable(conn: number, schema: string, table: string): Step<void> {
  if (yield* tableOid(conn, schema, table)) return;
  if (yield* createIgnoringRace(conn, deadLetterTableDdl(schema, table), schema, table))
    log.info(`created dead-letter table ${quoteQualified(schema, table)}`);
}

import {
  ConnectorError,
  deadLetter,
  frames,
  pg,
  type DataErrorPolicy,
  type FrameHandle,
  type Step,
} from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { rejectionCategory } from './data-error.js';
import { insertDeadLetterSql } from './dead-letter-table.js';
import type { RejectRow } from './isolate-rows.js';

/** Where rejected rows go and what names them. */
export interface RejectionTarget {
  readonly conn: number;
  readonly runId: number;
  readonly stream: string;
  readonly schema: string;
  readonly table: string;
  readonly policy: DataErrorPolicy;
  /** `dlq.table` (policy `dlq`): also insert dead letters there, in the open transaction. */
  readonly dlqTable?: string;
  /** The stream's key (named in a `ROW_REJECTED` error). */
  readonly key: readonly string[];
}

/** The columns of the target's constraint a message names (a check, unique or exclusion violation). */
const CONSTRAINT_COLUMNS_SQL =
  `SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_catalog.pg_constraint c ` +
  `JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) ` +
  `WHERE c.conrelid = $1::regclass AND strpos($2, '"' || c.conname || '"') > 0 ` +
  `GROUP BY c.conname ORDER BY length(c.conname) DESC LIMIT 1`;

/** The column a rejection is about: the error's own, else the columns of the constraint it names. */
function* rejectedColumn(target: RejectionTarget, error: ConnectorError): Step<string | undefined> {
  if (error.column) return error.column;
  if (!error.sqlstate?.startsWith('23')) return undefined;
  const r = yield* pg.query(target.conn, CONSTRAINT_COLUMNS_SQL, [
    quoteQualified(target.schema, target.table),
    error.message,
  ]);
  return r.rows[0]?.[0] ?? undefined;
}

/** Counts of what a policy did with rejected rows. */
export class Rejections {
  skipped = 0;
  deadLettered = 0;
  get total(): number {
    return this.skipped + this.deadLettered;
  }
}

/**
 * The `RejectRow` of a policy. `fail`: a permanent `ROW_REJECTED` error naming the stream, the
 * column (the error's, else the violated constraint's), the SQLSTATE and the row's key (the open
 * transaction rolls back). `skip`: counted. `dlq`: `deadLetter(record, reason, destination:<sqlstate>)`
 * to the engine (state DB) and, with `dlq.table`, an INSERT into that table in the transaction
 * that commits the interval's good rows.
 */
export function rowRejecter(target: RejectionTarget, counts: Rejections): RejectRow {
  return function* reject(frame: FrameHandle, row: number, error: ConnectorError): Step<void> {
    if (target.policy === 'skip') {
      counts.skipped += 1;
      return;
    }
    const record = frames.records(frame, row, 1)[0] ?? {};
    if (target.policy === 'dlq') {
      const category = rejectionCategory(error);
      deadLetter(record, error.message, category);
      if (target.dlqTable !== undefined) {
        yield* pg.query(target.conn, insertDeadLetterSql(target.schema, target.dlqTable), [
          String(target.runId),
          target.stream,
          JSON.stringify(record),
          error.message,
          category,
        ]);
      }
      counts.deadLettered += 1;
      return;
    }
    const column = yield* rejectedColumn(target, error);
    const key =
      target.key.length > 0
        ? target.key.map((k) => `${k}=${JSON.stringify(record[k] ?? null)}`).join(', ')
        : JSON.stringify(record);
    throw ConnectorError.permanent(
      'ROW_REJECTED',
      `${target.stream}: the destination rejected the row ${key}` +
        `${column ? ` (column ${column})` : ''}: SQLSTATE ${error.sqlstate ?? error.code}: ${error.message}; ` +
        'set destination.on_data_error to skip or dlq to load the other rows',
      {
        stream: target.stream,
        ...(column !== undefined && { column }),
        ...(error.sqlstate !== undefined && { sqlstate: error.sqlstate }),
      },
    );
  };
}

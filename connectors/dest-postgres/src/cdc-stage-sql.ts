import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { CDC_OP_COLUMN, CDC_UNCHANGED_COLUMN } from './cdc-frame.js';

/**
 * The temp table each change frame of a `cdc × upsert` stream is COPYed into before it is applied
 * set-based. One per session, emptied by every commit (ON COMMIT DELETE ROWS) and truncated
 * before each further frame of the same transaction.
 */
export const CDC_STAGE_TABLE = '_rb_cdc_stage';

/** The stage as SQL refers to it: in the session's temp schema. */
export const CDC_STAGE = quoteQualified('pg_temp', CDC_STAGE_TABLE);

/**
 * `CREATE TEMP TABLE "pg_temp"."_rb_cdc_stage" ON COMMIT DELETE ROWS AS SELECT <columns>, NULL::text
 * AS "_rb_op", NULL::text AS "_rb_unchanged" FROM target WITH NO DATA`: the target's column types,
 * without its NOT NULL constraints (delete rows carry only the key).
 */
export function cdcStageDdl(schema: string, table: string, columns: readonly string[]): string {
  const cols = columns.map(quoteIdent);
  cols.push(`NULL::text AS ${quoteIdent(CDC_OP_COLUMN)}`, `NULL::text AS ${quoteIdent(CDC_UNCHANGED_COLUMN)}`);
  return `CREATE TEMP TABLE ${CDC_STAGE} ON COMMIT DELETE ROWS AS SELECT ${cols.join(', ')} FROM ${quoteQualified(schema, table)} WITH NO DATA`;
}

/** Empties the stage before the next frame of a transaction (cheap for a temp table). */
export const TRUNCATE_CDC_STAGE_SQL = `TRUNCATE ${CDC_STAGE}`;

/** What one staged frame holds, from STAGE_SUMMARY_SQL. */
export interface StageSummary {
  readonly truncates: number;
  readonly deletes: number;
  readonly upserts: number;
  /** Inserts/updates with unchanged TOAST columns to fill from the target. */
  readonly unchanged: number;
  /** Rows whose `_rb_op` is none of I, U, D, T. */
  readonly invalid: number;
}

const OP = quoteIdent(CDC_OP_COLUMN);

/** One row: counts of truncates, deletes, upserts, upserts with unchanged columns, invalid ops. */
export const STAGE_SUMMARY_SQL =
  `SELECT count(*) FILTER (WHERE ${OP} = 'T'), count(*) FILTER (WHERE ${OP} = 'D'), ` +
  `count(*) FILTER (WHERE ${OP} IN ('I', 'U')), ` +
  `count(*) FILTER (WHERE ${OP} IN ('I', 'U') AND ${quoteIdent(CDC_UNCHANGED_COLUMN)} IS NOT NULL), ` +
  `count(*) FILTER (WHERE ${OP} IS NULL OR ${OP} NOT IN ('I', 'U', 'D', 'T')) FROM ${CDC_STAGE}`;

/** The row of STAGE_SUMMARY_SQL as numbers. */
export function stageSummary(row: readonly (string | undefined)[] | undefined): StageSummary {
  const n = (i: number): number => Number(row?.[i] ?? 0);
  return { truncates: n(0), deletes: n(1), upserts: n(2), unchanged: n(3), invalid: n(4) };
}

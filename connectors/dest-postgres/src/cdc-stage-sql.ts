import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { CDC_OP_COLUMN, CDC_UNCHANGED_COLUMN } from '@rapidbyte/sdk/frames';

/**
 * Names of the stage's change columns: those of the change frames COPYed into it (matched by
 * name), `_rb_op` and `_rb_unchanged` unless the stream has columns of those names — then the
 * engine's (`_rb_op_1`, …), so the source's own `_rb_op` is staged and applied as data.
 */
export interface StageChangeColumns {
  readonly op: string;
  readonly unchanged: string;
}

/** `base`, or `base_1`, `base_2`, … — the first name none of `taken` has (the rule the engine names change columns by). */
export function freeColumnName(base: string, taken: readonly string[]): string {
  const used = new Set(taken);
  let name = base;
  for (let n = 1; used.has(name); n++) name = `${base}_${n}`;
  return name;
}

/** The stage's change columns for a stream with columns `columns` when no change frame has named them yet. */
export function defaultStageChangeColumns(columns: readonly string[]): StageChangeColumns {
  const op = freeColumnName(CDC_OP_COLUMN, columns);
  return { op, unchanged: freeColumnName(CDC_UNCHANGED_COLUMN, [...columns, op]) };
}

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
 * AS "_rb_op", NULL::text AS "_rb_unchanged" FROM target WITH NO DATA` (change columns named by
 * `change`): the target's column types, without its NOT NULL constraints (delete rows carry only the key).
 */
export function cdcStageDdl(
  schema: string,
  table: string,
  columns: readonly string[],
  change: StageChangeColumns,
): string {
  const cols = columns.map(quoteIdent);
  cols.push(`NULL::text AS ${quoteIdent(change.op)}`, `NULL::text AS ${quoteIdent(change.unchanged)}`);
  return `CREATE TEMP TABLE ${CDC_STAGE} ON COMMIT DELETE ROWS AS SELECT ${cols.join(', ')} FROM ${quoteQualified(schema, table)} WITH NO DATA`;
}

/** Empties the stage before the next frame of a transaction (cheap for a temp table). */
export const TRUNCATE_CDC_STAGE_SQL = `TRUNCATE ${CDC_STAGE}`;

/** What one staged frame holds, from {@link stageSummarySql}. */
export interface StageSummary {
  readonly truncates: number;
  readonly deletes: number;
  readonly upserts: number;
  /** Inserts/updates with unchanged TOAST columns to fill from the target. */
  readonly unchanged: number;
  /** Rows whose `_rb_op` is none of I, U, D, T. */
  readonly invalid: number;
}

/** One row: counts of truncates, deletes, upserts, upserts with unchanged columns, invalid ops. */
export function stageSummarySql(change: StageChangeColumns): string {
  const op = quoteIdent(change.op);
  return (
    `SELECT count(*) FILTER (WHERE ${op} = 'T'), count(*) FILTER (WHERE ${op} = 'D'), ` +
    `count(*) FILTER (WHERE ${op} IN ('I', 'U')), ` +
    `count(*) FILTER (WHERE ${op} IN ('I', 'U') AND ${quoteIdent(change.unchanged)} IS NOT NULL), ` +
    `count(*) FILTER (WHERE ${op} IS NULL OR ${op} NOT IN ('I', 'U', 'D', 'T')) FROM ${CDC_STAGE}`
  );
}

/** The row of {@link stageSummarySql} as numbers. */
export function stageSummary(row: readonly (string | undefined)[] | undefined): StageSummary {
  const n = (i: number): number => Number(row?.[i] ?? 0);
  return { truncates: n(0), deletes: n(1), upserts: n(2), unchanged: n(3), invalid: n(4) };
}

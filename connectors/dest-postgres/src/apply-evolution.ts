import { ConnectorError, log, pg, type FrameField, type PgColumn, type Step } from '@rapidbyte/sdk';
import { evolutionDdl } from './evolution-ddl.js';
import type { EvolutionPolicy } from './evolution-policy.js';
import { planEvolution, type EvolutionAction, type TargetColumn } from './plan-evolution.js';
import type { SchemaChangeLog } from './schema-change-log.js';
import {
  GENERATED_COLUMNS_SQL,
  TABLE_COLUMNS_SQL,
  columnsFromRows,
  copyColumns,
  generatedColumnsFromRows,
} from './target-catalog.js';
import { ensureEnumTypes } from './target-table.js';
import { CDC_META_COLUMNS } from './cdc-frame.js';
import { DELETED_AT_COLUMN, SYNCED_AT_COLUMN } from './cdc-settings.js';
import { GENERATED_TARGET_COLUMNS_SQL } from './generated-columns.js';
import { NO_HISTORY, type ColumnHistory } from './column-history.js';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { PRIMARY_KEY_COLUMNS_SQL } from './key-check-sql.js';

/**
 * Columns a CDC target may keep for itself: not source columns, so never "removed" — unless the
 * source sends a column of that name (an upsert target loads a source's own `_rb_op` as data).
 */
const CDC_BOOKKEEPING_COLUMNS: readonly string[] = [...CDC_META_COLUMNS, DELETED_AT_COLUMN, SYNCED_AT_COLUMN];

/** SQLSTATEs of a cast that fails on a value (class 22: data exception) or cannot be done at all (42846). */
const CAST_FAILURE = (sqlstate: string | undefined): boolean =>
  sqlstate !== undefined && (sqlstate.startsWith('22') || sqlstate === '42846');

/** The table a frame schema is loaded into. `shown`: the name messages use (the target, also when DDL goes to its staging copy). */
export interface EvolutionTarget {
  readonly conn: number;
  readonly stream: string;
  readonly schema: string;
  readonly table: string;
  readonly oid: string;
  readonly shown: string;
  readonly policy: EvolutionPolicy;
  readonly changes: SchemaChangeLog;
  /** A CDC target: its bookkeeping columns (`_rb_op`, `_rb_deleted_at`, …) are not source columns and never "removed". */
  readonly cdc?: boolean;
  /**
   * The table mirrors the source's rows (cdc × upsert): a column added to it gets, in the rows
   * already there, what the source's existing rows hold (a change log keeps its past rows as they were logged).
   */
  readonly fillExisting?: boolean;
}

/**
 * What to COPY after evolving: the target columns in field order (without the target's stored
 * generated columns, which the database computes), the columns written as NULL, and the
 * target's identity `GENERATED ALWAYS` columns (an INSERT writing them needs `OVERRIDING SYSTEM
 * VALUE`; an UPDATE cannot set them).
 */
export interface EvolvedColumns {
  readonly columns: PgColumn[];
  readonly nulled: readonly string[];
  readonly identityAlways: readonly string[];
}

/**
 * Compares `fields` with the table, refuses what a `fail` policy forbids (permanent
 * `SCHEMA_CHANGE_REFUSED` naming the columns), applies the DDL of the others (in the caller's
 * transaction, if any; a failing `coerce` cast is a permanent `CAST_FAILED` with Postgres's
 * message, which names the value), logs and records every change, and returns the COPY columns.
 */
export function* evolveTable(
  target: EvolutionTarget,
  fields: readonly FrameField[],
  rowsBefore: number,
  history: ColumnHistory = NO_HISTORY,
): Step<EvolvedColumns> {
  const { conn, stream, shown } = target;
  yield* renameColumns(target, fields, history);
  const existing = yield* readTargetColumns(conn, target.oid);
  const sourceNames = new Set(fields.map((f) => f.name));
  // a generated column is computed by the table (the source's generated columns are created so and not sent): never "removed"
  const computed = new Set((yield* pg.query(conn, GENERATED_TARGET_COLUMNS_SQL, [target.oid])).rows.map((r) => r[0]));
  const compared = existing.filter(
    (c) =>
      sourceNames.has(c.name) ||
      !(computed.has(c.name) || (target.cdc === true && CDC_BOOKKEEPING_COLUMNS.includes(c.name))),
  );
  const plan = planEvolution(fields, compared, target.policy);
  if (plan.errors.length > 0) {
    throw ConnectorError.permanent(
      'SCHEMA_CHANGE_REFUSED',
      `${stream}: ${plan.errors.map((e) => e.message).join('; ')} — ${shown} was left unchanged; change schema_evolution or the table`,
      { stream, column: plan.errors[0]?.column },
    );
  }
  for (const action of plan.actions) yield* applyAction(target, action, history);
  target.changes.record(plan.actions, rowsBefore);
  const skip = new Set(plan.skipFields);
  const loaded = fields.filter((f) => !skip.has(f.name));
  const after = columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [target.oid])).rows);
  const matched = copyColumns(loaded, after);
  if (!matched.ok) {
    throw ConnectorError.permanent(
      'COLUMN_MISSING_AT_DESTINATION',
      `${stream}: column ${JSON.stringify(matched.missing)} does not exist in ${shown}`,
      {
        stream,
        column: matched.missing,
      },
    );
  }
  const made = generatedColumnsFromRows((yield* pg.query(conn, GENERATED_COLUMNS_SQL, [target.oid])).rows);
  const generated = new Set(made.generated);
  const skipped = matched.columns.filter((c) => generated.has(c.name));
  if (skipped.length > 0) {
    log.info(
      `${stream}: ${skipped.map((c) => JSON.stringify(c.name)).join(', ')} generated in ${shown}: computed there, not written`,
    );
  }
  return {
    columns: matched.columns.filter((c) => !generated.has(c.name)),
    nulled: plan.actions.filter((a) => a.action === 'null' && !generated.has(a.column)).map((a) => a.column),
    identityAlways: made.identityAlways,
  };
}

/** The table's columns with `inKey` set for its primary-key columns. */
export function* readTargetColumns(conn: number, oid: string): Step<TargetColumn[]> {
  const columns = columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [oid])).rows);
  const key = new Set((yield* pg.query(conn, PRIMARY_KEY_COLUMNS_SQL, [oid])).rows.map((r) => r[0]));
  return columns.map((c) => ({ ...c, inKey: key.has(c.name) }));
}

/**
 * Renames the target's columns the source renamed (`history.renamed`: same attnum and type, new
 * name; pgoutput alone shows a drop and an add) before the frame's fields are compared with it:
 * earlier rows keep their values under the new name. Only where the frame has the new name, the
 * table has the old one and not the new one.
 */
function* renameColumns(target: EvolutionTarget, fields: readonly FrameField[], history: ColumnHistory): Step<void> {
  if (history.renamed.size === 0) return;
  const { conn, stream, shown } = target;
  const have = new Set((yield* readTargetColumns(conn, target.oid)).map((c) => c.name));
  const sent = new Set(fields.map((f) => f.name));
  for (const [neu, old] of history.renamed) {
    if (!sent.has(neu) || sent.has(old) || !have.has(old) || have.has(neu)) continue;
    yield* pg.query(
      conn,
      `ALTER TABLE ${quoteQualified(target.schema, target.table)} RENAME COLUMN ${quoteIdent(old)} TO ${quoteIdent(neu)}`,
    );
    have.delete(old);
    have.add(neu);
    log.info(
      `${stream}: schema change in ${shown}: column ${JSON.stringify(old)} renamed to ${JSON.stringify(neu)} (renamed at the source)`,
    );
  }
}

function* applyAction(target: EvolutionTarget, action: EvolutionAction, history: ColumnHistory): Step<void> {
  const { conn, stream, shown } = target;
  const fill = action.action === 'add' && target.fillExisting === true ? history.fill.get(action.column) : undefined;
  if (fill !== undefined && 'unknown' in fill) {
    log.warn(
      `${stream}: column ${JSON.stringify(action.column)} was added to ${shown}, but the rows already there have no value for it: ` +
        `the source's existing rows hold values the destination cannot know (a volatile default, or rows written before the stream followed the column). ` +
        `Re-snapshot the stream to fill them: rapidbyte state reset <pipeline.yaml> --stream ${stream} (or rapidbyte run <pipeline.yaml> --full-refresh --streams ${stream})`,
    );
  }
  const ddl = evolutionDdl(
    target.schema,
    target.table,
    action,
    fill !== undefined && 'value' in fill ? fill.value : undefined,
  );
  if (!ddl.ok)
    throw ConnectorError.permanent('INVALID_TYPE_NAME', `${stream}: ${ddl.message}`, { stream, column: ddl.column });
  yield* ensureEnumTypes(conn, ddl.enums);
  for (const sql of ddl.statements) {
    try {
      yield* pg.query(conn, sql);
    } catch (error) {
      if (action.action === 'coerce' && error instanceof ConnectorError && CAST_FAILURE(error.sqlstate)) {
        throw ConnectorError.permanent(
          'CAST_FAILED',
          `${stream}: cannot change column ${JSON.stringify(action.column)} of ${shown} from ${action.from} to ${action.to} ` +
            `(schema_evolution.type_change: coerce): ${error.message}`,
          { stream, column: action.column, sqlstate: error.sqlstate },
        );
      }
      throw error;
    }
  }
  const detail =
    action.from !== undefined ? ` (${action.from} -> ${action.to})` : action.to !== undefined ? ` (${action.to})` : '';
  const filled =
    fill !== undefined && 'value' in fill
      ? `; the rows already there take the source's ${JSON.stringify(fill.value)}`
      : '';
  const ddlNote = (ddl.statements.length > 0 ? `; ${ddl.statements.length} DDL statement(s)` : '') + filled;
  log.info(
    `${stream}: schema change in ${shown}: ${action.change} ${JSON.stringify(action.column)}${detail} -> ${action.action}${ddlNote}`,
  );
}

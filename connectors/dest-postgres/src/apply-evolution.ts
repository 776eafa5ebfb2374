import { ConnectorError, log, pg, type FrameField, type PgColumn, type Step } from '@rapidbyte/sdk';
import { evolutionDdl } from './evolution-ddl.js';
import type { EvolutionPolicy } from './evolution-policy.js';
import { planEvolution, type EvolutionAction, type TargetColumn } from './plan-evolution.js';
import type { SchemaChangeLog } from './schema-change-log.js';
import { GENERATED_COLUMNS_SQL, TABLE_COLUMNS_SQL, columnsFromRows, copyColumns, generatedColumnsFromRows } from './target-catalog.js';
import { ensureEnumTypes } from './target-table.js';
import { PRIMARY_KEY_COLUMNS_SQL } from './key-check-sql.js';

/** Columns a CDC target keeps for itself (`_rb_op`, `_rb_lsn`, `_rb_unchanged`, `_rb_deleted_at`, `_rb_synced_at`). */
const CDC_BOOKKEEPING_PREFIX = '_rb_';

/** SQLSTATEs of a cast that fails on a value (class 22: data exception) or cannot be done at all (42846). */
const CAST_FAILURE = (sqlstate: string | undefined): boolean => sqlstate !== undefined && (sqlstate.startsWith('22') || sqlstate === '42846');

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
  /** A CDC target: its bookkeeping columns (`_rb_*`) are not source columns and never "removed". */
  readonly cdc?: boolean;
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
export function* evolveTable(target: EvolutionTarget, fields: readonly FrameField[], rowsBefore: number): Step<EvolvedColumns> {
  const { conn, stream, shown } = target;
  const existing = yield* readTargetColumns(conn, target.oid);
  const plan = planEvolution(fields, target.cdc ? existing.filter((c) => !c.name.startsWith(CDC_BOOKKEEPING_PREFIX)) : existing, target.policy);
  if (plan.errors.length > 0) {
    throw ConnectorError.permanent(
      'SCHEMA_CHANGE_REFUSED',
      `${stream}: ${plan.errors.map((e) => e.message).join('; ')} — ${shown} was left unchanged; change schema_evolution or the table`,
      { stream, column: plan.errors[0]?.column },
    );
  }
  for (const action of plan.actions) yield* applyAction(target, action);
  target.changes.record(plan.actions, rowsBefore);
  const skip = new Set(plan.skipFields);
  const loaded = fields.filter((f) => !skip.has(f.name));
  const after = columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [target.oid])).rows);
  const matched = copyColumns(loaded, after);
  if (!matched.ok) {
    throw ConnectorError.permanent('COLUMN_MISSING_AT_DESTINATION', `${stream}: column ${JSON.stringify(matched.missing)} does not exist in ${shown}`, {
      stream,
      column: matched.missing,
    });
  }
  const made = generatedColumnsFromRows((yield* pg.query(conn, GENERATED_COLUMNS_SQL, [target.oid])).rows);
  const generated = new Set(made.generated);
  const skipped = matched.columns.filter((c) => generated.has(c.name));
  if (skipped.length > 0) {
    log.info(`${stream}: ${skipped.map((c) => JSON.stringify(c.name)).join(', ')} generated in ${shown}: computed there, not written`);
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

function* applyAction(target: EvolutionTarget, action: EvolutionAction): Step<void> {
  const { conn, stream, shown } = target;
  const ddl = evolutionDdl(target.schema, target.table, action);
  if (!ddl.ok) throw ConnectorError.permanent('INVALID_TYPE_NAME', `${stream}: ${ddl.message}`, { stream, column: ddl.column });
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
  const detail = action.from !== undefined ? ` (${action.from} -> ${action.to})` : action.to !== undefined ? ` (${action.to})` : '';
  const ddlNote = ddl.statements.length > 0 ? `; ${ddl.statements.length} DDL statement(s)` : '';
  log.info(`${stream}: schema change in ${shown}: ${action.change} ${JSON.stringify(action.column)}${detail} -> ${action.action}${ddlNote}`);
}

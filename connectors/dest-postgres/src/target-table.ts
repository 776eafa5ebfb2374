import { ConnectorError, log, pg, type FrameField, type PgColumn, type Step } from '@rapidbyte/sdk';
import {
  addEnumLabelsDdl,
  createEnumTypeDdl,
  planCreateTable,
  type EnumTypeSpec,
  type TablePlan,
} from './create-table-ddl.js';
import { fieldsWithComposites } from './composite-columns.js';
import type { CompositeTypeSpec } from './composite-metadata.js';
import { fieldsWithDomains } from './domain-columns.js';
import { frameColumns } from './frame-columns.js';
import { GENERATED_TARGET_COLUMNS_SQL, withGeneratedColumns, type GeneratedColumnSpec } from './generated-columns.js';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import {
  ENUM_LABELS_SQL,
  RESOLVE_TABLE_SQL,
  TABLE_COLUMNS_SQL,
  columnsFromRows,
  copyColumns,
} from './target-catalog.js';

/** The oid of `schema.table`, or undefined when it does not exist. */
export function* tableOid(conn: number, schema: string, table: string): Step<string | undefined> {
  const r = yield* pg.query(conn, RESOLVE_TABLE_SQL, [quoteQualified(schema, table)]);
  return r.rows[0]?.[0] ?? undefined;
}

/**
 * SQLSTATEs of losing a concurrent `CREATE TABLE IF NOT EXISTS` race: duplicate_table,
 * unique_violation (on `pg_type` or `pg_class`) and duplicate_object (`type "<table>" already
 * exists`: the other session's row type was committed between this one's relation check and its
 * type insert). Each also has a permanent cause (a standalone type of the same name), so a lost race
 * counts only when the table exists afterwards.
 */
const CREATE_RACE_SQLSTATES: readonly string[] = ['42P07', '23505', '42710'];

/**
 * Runs a `CREATE TABLE IF NOT EXISTS` of `schema.table` outside a transaction; losing the race
 * against a concurrent create of the same table is not an error. Returns false when it lost that
 * race; rethrows when the error was one of a lost race but the table still does not exist.
 */
export function* createIgnoringRace(conn: number, sql: string, schema: string, table: string): Step<boolean> {
  try {
    yield* pg.query(conn, sql);
    return true;
  } catch (error) {
    if (
      error instanceof ConnectorError &&
      error.sqlstate !== undefined &&
      CREATE_RACE_SQLSTATES.includes(error.sqlstate) &&
      (yield* tableOid(conn, schema, table)) !== undefined
    )
      return false;
    throw error;
  }
}

/** Creates the schema when it is missing (without needing CREATE on the database when it exists). */
export function* ensureSchema(conn: number, schema: string): Step<void> {
  const r = yield* pg.query(conn, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (r.rows.length > 0) return;
  try {
    yield* pg.query(conn, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (error) {
    // duplicate_schema / unique_violation: another stream created it at the same moment
    const lost =
      error instanceof ConnectorError &&
      (error.sqlstate === '42P06' || error.sqlstate === '23505') &&
      (yield* pg.query(conn, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rows.length > 0;
    if (lost) return;
    throw error;
  }
  log.info(`created schema ${quoteIdent(schema)}`);
}

/**
 * Plans the CREATE TABLE for a frame schema (plus the source's generated columns the frames leave
 * out, `options.generated`, created as generated); a frame the plan cannot describe is a permanent
 * error naming the column.
 */
export function planTable(
  stream: string,
  schema: string,
  table: string,
  fields: readonly FrameField[],
  primaryKey: readonly string[] | undefined,
  options: { readonly ifNotExists?: boolean; readonly generated?: readonly GeneratedColumnSpec[] } = {},
): TablePlan {
  const described = frameColumns({ fields });
  if (!described.ok) {
    throw ConnectorError.permanent('UNKNOWN_COLUMN_TYPE', `${stream}: ${described.message}`, {
      stream,
      column: described.column,
    });
  }
  const plan = planCreateTable(
    schema,
    table,
    withGeneratedColumns(described.columns, options.generated ?? []),
    primaryKey,
    options,
  );
  if (!plan.ok)
    throw ConnectorError.permanent(plan.code, `${stream}: ${plan.message}`, { stream, column: plan.column });
  return plan;
}

/**
 * Creates the enum types a new table needs, outside any transaction (so labels added to an
 * existing type are usable right away). An existing type gets the labels it lacks appended.
 */
export function* ensureEnumTypes(conn: number, enums: readonly EnumTypeSpec[]): Step<void> {
  for (const spec of enums) {
    const name = quoteQualified(spec.schema, spec.name);
    const existing = (yield* pg.query(conn, ENUM_LABELS_SQL, [name])).rows[0]?.[0];
    if (existing === undefined) {
      try {
        yield* pg.query(conn, createEnumTypeDdl(spec));
        log.info(`created enum type ${name} (${spec.labels.length} labels)`);
      } catch (error) {
        // 42710: created concurrently by another stream of this run
        if (!(error instanceof ConnectorError && error.sqlstate === '42710')) throw error;
      }
      continue;
    }
    const statements = addEnumLabelsDdl(spec, JSON.parse(existing) as string[]);
    for (const sql of statements) yield* pg.query(conn, sql);
    if (statements.length > 0) log.info(`added ${statements.length} labels to enum type ${name}`);
  }
}

/**
 * The columns of `oid` to COPY the frame's fields into, in field order. A field the table lacks
 * is a permanent `COLUMN_MISSING_AT_DESTINATION` (CDC streams; the others evolve the table: apply-evolution.ts).
 */
export function* targetCopyColumns(
  conn: number,
  stream: string,
  qualified: string,
  oid: string,
  fields: readonly FrameField[],
): Step<PgColumn[]> {
  const target = columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [oid])).rows);
  const matched = copyColumns(fields, target);
  if (!matched.ok) {
    throw ConnectorError.permanent(
      'COLUMN_MISSING_AT_DESTINATION',
      `${stream}: column ${JSON.stringify(matched.missing)} does not exist in ${qualified} (it has ` +
        `${target.map((c) => JSON.stringify(c.name)).join(', ')}); add it or drop the table`,
      { stream, column: matched.missing },
    );
  }
  return matched.columns;
}

/**
 * The oid of the target, created first when it is missing (`CREATE TABLE IF NOT EXISTS`, outside
 * a transaction, after its enum types) from the frame schema with `primaryKey` as its key, and
 * the source's `generated` columns created as generated.
 */
export function* ensureTargetTable(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  fields: readonly FrameField[],
  primaryKey: readonly string[] | undefined,
  generated: readonly GeneratedColumnSpec[] = [],
  domains?: ReadonlyMap<string, string>,
  composites?: ReadonlyMap<string, CompositeTypeSpec>,
): Step<string> {
  const existing = yield* tableOid(conn, schema, table);
  if (existing) {
    if (generated.length > 0)
      yield* warnPlainGenerated(conn, stream, quoteQualified(schema, table), existing, generated);
    return existing;
  }
  const typed = yield* fieldsWithComposites(
    conn,
    stream,
    schema,
    yield* fieldsWithDomains(conn, stream, fields, domains),
    composites,
  );
  const plan = planTable(stream, schema, table, typed, primaryKey, {
    ifNotExists: true,
    generated,
  });
  yield* ensureEnumTypes(conn, plan.enums);
  yield* createIgnoringRace(conn, plan.createTable, schema, table);
  const oid = yield* tableOid(conn, schema, table);
  if (!oid)
    throw ConnectorError.permanent(
      'TABLE_NOT_CREATED',
      `${stream}: ${quoteQualified(schema, table)} is missing right after its CREATE`,
      { stream },
    );
  const key = primaryKey && primaryKey.length > 0 ? `(${primaryKey.join(', ')})` : 'none';
  const computed =
    generated.length > 0 ? `, generated: ${generated.map((g) => JSON.stringify(g.name)).join(', ')}` : '';
  log.info(
    `${stream}: created ${quoteQualified(schema, table)} (${fields.length} columns, primary key ${key}${computed})`,
  );
  return oid;
}

/**
 * A table created before generated columns were recreated may hold a source's generated column as
 * a plain one: the frames no longer carry its values (the destination is to compute them), so new
 * rows would get none there. Warns with the DDL that makes it generated.
 */
function* warnPlainGenerated(
  conn: number,
  stream: string,
  qualified: string,
  oid: string,
  generated: readonly GeneratedColumnSpec[],
): Step<void> {
  const names = new Set(columnsFromRows((yield* pg.query(conn, TABLE_COLUMNS_SQL, [oid])).rows).map((c) => c.name));
  const computed = new Set((yield* pg.query(conn, GENERATED_TARGET_COLUMNS_SQL, [oid])).rows.map((r) => r[0]));
  for (const g of generated) {
    if (!names.has(g.name) || computed.has(g.name)) continue;
    log.warn(
      `${stream}: column ${JSON.stringify(g.name)} is generated at the source and computed by the destination, but in ${qualified} it is a plain column, ` +
        `which gets no value in rows written from now on; make it generated: ALTER TABLE ${qualified} DROP COLUMN ${quoteIdent(g.name)}, ` +
        `ADD COLUMN ${quoteIdent(g.name)} ${g.type} GENERATED ALWAYS AS (${g.expression}) STORED`,
    );
  }
}

import { selectColumn } from './oid-alias-columns.js';
import { readRelationSql, type ReadRelation } from './stream-relation-sql.js';

/** Optional clauses of the SELECT inside a COPY; both are SQL built by this connector's builders. */
export interface CopyClauses {
  /** A predicate (values inlined as quoted, typed literals: COPY takes no parameters). */
  readonly where?: string;
  /** A quoted column list. */
  readonly orderBy?: string;
}

/**
 * `COPY (SELECT "a", "b" FROM "s"."t" [WHERE ...] [ORDER BY ...]) TO STDOUT (FORMAT binary)`.
 * Columns are selected by name in the given order, so the COPY output matches the column list
 * handed to the host; a column carried as text (an OID alias) is selected as `"c"::text AS "c"`.
 * A plain table is read `ONLY` (an inheritance parent's own rows, as its CDC stream carries them:
 * see streamRelationSql).
 */
export function copyOutStatement(
  relation: ReadRelation,
  columns: readonly { readonly name: string; readonly typeName?: string }[],
  clauses: CopyClauses = {},
): string {
  const list = columns.map(selectColumn).join(', ');
  const where = clauses.where ? ` WHERE ${clauses.where}` : '';
  const orderBy = clauses.orderBy ? ` ORDER BY ${clauses.orderBy}` : '';
  return `COPY (SELECT ${list} FROM ${readRelationSql(relation)}${where}${orderBy}) TO STDOUT (FORMAT binary)`;
}

import { ConnectorError, pg, type PgColumn, type Step } from '@rapidbyte/sdk';
import {
  GENERATED_COLUMNS_SQL,
  INHERITANCE_CHILDREN_SQL,
  PRIMARY_KEY_SQL,
  RELATION_COLUMNS_SQL,
  RESOLVE_RELATION_SQL,
  columnsFromRows,
} from './catalog-queries.js';
import { generatedColumnsFromRows, type GeneratedColumn } from './generated-columns.js';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { carryOidAliasesAsText } from './oid-alias-columns.js';
import { DOMAIN_COLUMNS_SQL } from './domain-columns.js';
import {
  COMPOSITE_COLUMNS_SQL,
  compositeColumnsFromRows,
  mayHaveComposites,
  type CompositeType,
} from './composite-columns.js';
import { carryTextOnlyAsText, TEXT_ONLY_COLUMNS_SQL } from './text-only-columns.js';

/** A relation resolved in the source catalog. */
export interface Relation {
  readonly oid: string;
  /** `pg_class.relkind` (r, p, v, m, f). */
  readonly relkind: string;
  readonly columns: readonly PgColumn[];
  readonly primaryKey: readonly string[];
  /** Tables inheriting from this one (a stream reads only the parent's own rows: see streamRelationSql). */
  readonly inheritanceChildren: readonly string[];
  /** Its generated stored columns (a subset of `columns`). */
  readonly generated: readonly GeneratedColumn[];
  /** Column name -> its domain (qualified), for the columns whose type is a domain. */
  readonly domains: ReadonlyMap<string, string>;
  /** Column -> its standalone composite type (or its array's element's), for a destination that must create it. */
  readonly composites: ReadonlyMap<string, CompositeType>;
}

/**
 * Resolves `schema.table` with `to_regclass` on the quoted name and reads its columns and
 * primary key. A missing relation is a permanent `TABLE_NOT_FOUND` naming the stream.
 *
 * A table whose row-level security policies apply to the connecting role is a permanent
 * `ROW_SECURITY_FILTERED` unless `rowSecurity` (the config's `row_security: true`) says filtered
 * reads are wanted: the server would return only the rows the policies allow, without an error, and
 * a `replace` would then drop the rest at the destination.
 */
export function* describeRelation(
  conn: number,
  stream: string,
  schema: string,
  table: string,
  rowSecurity = false,
): Step<Relation> {
  const resolved = yield* pg.query(conn, RESOLVE_RELATION_SQL, [quoteQualified(schema, table)]);
  const oid = resolved.rows[0]?.[0];
  if (!oid) {
    throw ConnectorError.permanent(
      'TABLE_NOT_FOUND',
      `${stream}: relation ${quoteQualified(schema, table)} does not exist (or is not visible to this user)`,
      { stream },
    );
  }
  if (resolved.rows[0]?.[2] === 'true' && !rowSecurity) {
    const role = resolved.rows[0]?.[3] ?? '';
    throw ConnectorError.permanent(
      'ROW_SECURITY_FILTERED',
      `${stream}: row-level security is enabled on ${quoteQualified(schema, table)} and role ${JSON.stringify(role)} is subject to its policies, ` +
        `so a read would copy only the rows the policies allow (and replace would drop the others at the destination). ` +
        `Read as the table owner or a role with BYPASSRLS (ALTER ROLE ${quoteIdent(role)} BYPASSRLS), ` +
        `or set source.config.row_security: true to copy the filtered rows deliberately`,
      { stream },
    );
  }
  // OID-alias columns (regclass & co.) are read as the names they hold: their OIDs mean nothing elsewhere
  const columns = carryOidAliasesAsText(columnsFromRows((yield* pg.query(conn, RELATION_COLUMNS_SQL, [oid])).rows));
  // types without a binary form (contrib isn, seg) travel as their text, keeping their type name
  const textOnly = new Set((yield* pg.query(conn, TEXT_ONLY_COLUMNS_SQL, [oid])).rows.map((r) => r[0] ?? ''));
  const carried = textOnly.size === 0 ? columns : carryTextOnlyAsText(columns, textOnly);
  const primaryKey = (yield* pg.query(conn, PRIMARY_KEY_SQL, [oid])).rows.map((r) => r[0] ?? '');
  const relkind = resolved.rows[0]?.[1] ?? 'r';
  const inheritanceChildren =
    relkind === 'r' ? (yield* pg.query(conn, INHERITANCE_CHILDREN_SQL, [oid])).rows.map((r) => r[0] ?? '') : [];
  const generated = generatedColumnsFromRows((yield* pg.query(conn, GENERATED_COLUMNS_SQL, [oid])).rows);
  const domains = new Map(
    (yield* pg.query(conn, DOMAIN_COLUMNS_SQL, [oid])).rows.map((r) => [r[0] ?? '', r[1] ?? ''] as const),
  );
  const composites = mayHaveComposites(columns)
    ? compositeColumnsFromRows((yield* pg.query(conn, COMPOSITE_COLUMNS_SQL, [oid])).rows)
    : new Map<string, CompositeType>();
  return { oid, relkind, columns: carried, primaryKey, inheritanceChildren, generated, domains, composites };
}

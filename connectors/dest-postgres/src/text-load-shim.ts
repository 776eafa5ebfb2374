import type { PgColumn } from '@rapidbyte/sdk';
import { quoteIdent, quoteLiteral, quoteQualified } from '@rapidbyte/sdk/postgres';
import { copyInStatement } from './target-catalog.js';

/**
 * `$1` = relation oid -> name and type (`format_type`, a domain by its own name) of its columns
 * whose type has no binary input: the base type (through domains) or, for an array, its element
 * type lacks `typreceive` (contrib `isn`, `seg`). COPY BINARY cannot load them.
 */
export const TEXT_ONLY_TARGET_COLUMNS_SQL = `SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
CROSS JOIN LATERAL (
  WITH RECURSIVE chain(type_oid, depth) AS (
    SELECT a.atttypid, 0
    UNION ALL
    SELECT t.typbasetype, c.depth + 1 FROM chain c JOIN pg_type t ON t.oid = c.type_oid WHERE t.typtype = 'd'
  )
  SELECT type_oid AS base_oid FROM chain ORDER BY depth DESC LIMIT 1
) b
JOIN pg_type bt ON bt.oid = b.base_oid
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND (bt.typreceive = 0 OR et.typreceive = 0)
ORDER BY a.attnum`;

const TEXT = { typeName: 'text', typeOid: 25, typeCategory: 'S' } as const;

/** The statements that route a COPY through a text-typed view of the target (see `copyInTo`). */
export interface TextLoadShim {
  readonly setup: readonly string[];
  readonly copy: string;
  readonly columns: PgColumn[];
}

/**
 * The shim for loading `columns` into `schema.table` when some of them (`textOnly`, name -> type)
 * have no binary input: a temporary view showing those columns as text, whose INSTEAD OF INSERT
 * trigger inserts each row into the table casting the text to the column's type. COPY FROM
 * accepts such a view, so the frame's text values go in through the type's text input.
 */
export function textLoadShim(
  schema: string,
  table: string,
  oid: string,
  columns: readonly PgColumn[],
  textOnly: ReadonlyMap<string, string>,
): TextLoadShim {
  const name = `_rb_text_in_${oid}`;
  const view = quoteQualified('pg_temp', name);
  const target = quoteQualified(schema, table);
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  const shown = columns
    .map((c) => (textOnly.has(c.name) ? `${quoteIdent(c.name)}::text AS ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(', ');
  const values = columns.map((c) => {
    const type = textOnly.get(c.name);
    return type === undefined ? `NEW.${quoteIdent(c.name)}` : `NEW.${quoteIdent(c.name)}::${type}`;
  });
  const body = `BEGIN INSERT INTO ${target} (${list}) OVERRIDING SYSTEM VALUE VALUES (${values.join(', ')}); RETURN NEW; END`;
  return {
    setup: [
      `DROP VIEW IF EXISTS ${view}`,
      `CREATE TEMPORARY VIEW ${quoteIdent(name)} AS SELECT ${shown} FROM ${target}`,
      `CREATE OR REPLACE FUNCTION ${view}() RETURNS trigger LANGUAGE plpgsql AS ${quoteLiteral(body)}`,
      `CREATE TRIGGER _rb_text_in INSTEAD OF INSERT ON ${view} FOR EACH ROW EXECUTE FUNCTION ${view}()`,
    ],
    copy: copyInStatement('pg_temp', name, columns),
    columns: columns.map((c) => (textOnly.has(c.name) ? { ...c, ...TEXT, enumLabels: [] } : c)),
  };
}

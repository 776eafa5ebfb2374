import type { PgColumn } from '@rapidbyte/sdk';
import { ConnectorError } from '@rapidbyte/sdk/postgres';
import type { TextCarriedColumn } from './oid-alias-columns.js';

/**
 * `$1` = relation oid -> names of the columns whose type has no binary form: the base type
 * (through domains) or, for an array, its element type lacks `typsend` or `typreceive` (contrib
 * `isn`, `seg`). COPY BINARY and pgoutput's binary mode cannot carry their values.
 */
export const TEXT_ONLY_COLUMNS_SQL = `SELECT a.attname::text
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
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
  AND (bt.typsend = 0 OR bt.typreceive = 0 OR et.typsend = 0 OR et.typreceive = 0)
ORDER BY a.attnum`;

/**
 * The columns as this source delivers them: a column whose type has no binary form is read as
 * its text (`"c"::text` in the COPY select, an array as one array literal) and decoded as text,
 * while its type name stays the source's, so the destination creates the exact type and casts the
 * text into it.
 */
export function carryTextOnlyAsText(columns: readonly PgColumn[], textOnly: ReadonlySet<string>): PgColumn[] {
  return columns.map((c) => {
    if (!textOnly.has(c.name)) return c;
    return {
      ...c,
      typeOid: 25,
      enumLabels: [],
      carriedFrom: c.typeName,
      textOnly: true,
    } satisfies TextCarriedColumn & { textOnly: true };
  });
}

/**
 * pgoutput's binary mode falls back to text for a type without a send function, but not for an
 * array of one: the array's own send function calls the element's, and the walsender fails with
 * `no binary output function available for type …`, stopping the slot. The publication carries
 * every column of the table, so a stream's column list does not avoid it. Such a table is refused
 * before anything is published, naming the column and the way out.
 */
export function refuseTextOnlyArraysInCdc(stream: string, columns: readonly PgColumn[]): void {
  for (const column of columns) {
    if ((column as { textOnly?: boolean }).textOnly !== true || !/\[\]$/.test(column.typeName.trim())) continue;
    throw ConnectorError.permanent(
      'CDC_TYPE_UNSUPPORTED',
      `${stream}: column ${JSON.stringify(column.name)} is an array of a type without a binary send function (${column.typeName}); pgoutput's binary mode fails on it (even when the stream's columns list leaves it out), so sync_mode cdc cannot read this table. Use sync_mode full_refresh or incremental, or change the column's type (e.g. to text[])`,
      { stream, column: column.name },
    );
  }
}

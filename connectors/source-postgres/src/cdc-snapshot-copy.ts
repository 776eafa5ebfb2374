import type { PgColumn } from '@rapidbyte/sdk';
import { CDC_LSN_COLUMN, CDC_OP_COLUMN, CDC_UNCHANGED_COLUMN } from '@rapidbyte/sdk/frames';
import { quoteIdent, quoteLiteral } from '@rapidbyte/sdk/postgres';
import { selectColumn } from './oid-alias-columns.js';
import { streamRelationSql } from './stream-relation-sql.js';

/** Columns a change log (cdc × append) carries after the table's own. */
export const CHANGE_LOG_COLUMNS: readonly PgColumn[] = [
  { name: CDC_OP_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true, enumLabels: [] },
  { name: CDC_LSN_COLUMN, typeName: 'pg_lsn', typeOid: 3220, typeCategory: 'U', nullable: true, enumLabels: [] },
  { name: CDC_UNCHANGED_COLUMN, typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true, enumLabels: [] },
];

/**
 * The snapshot COPY of a CDC stream. For a change log, every row also gets `_rb_op = 'r'` (read
 * by the snapshot), `_rb_lsn` = the snapshot's LSN and no unchanged columns. The rows are those the
 * publication carries changes of (an inheritance parent's own rows: see streamRelationSql).
 */
export function cdcSnapshotCopy(
  schema: string,
  table: string,
  columns: readonly PgColumn[],
  changeLogLsn: string | undefined,
  relkind: string,
): { sql: string; columns: PgColumn[] } {
  const from = streamRelationSql(schema, table, relkind);
  const list = columns.map(selectColumn);
  if (changeLogLsn === undefined) {
    return { sql: `COPY (SELECT ${list.join(', ')} FROM ${from}) TO STDOUT (FORMAT binary)`, columns: [...columns] };
  }
  const extra = [
    `'r'::text AS ${quoteIdent(CDC_OP_COLUMN)}`,
    `${quoteLiteral(changeLogLsn)}::pg_lsn AS ${quoteIdent(CDC_LSN_COLUMN)}`,
    `NULL::text AS ${quoteIdent(CDC_UNCHANGED_COLUMN)}`,
  ];
  return {
    sql: `COPY (SELECT ${[...list, ...extra].join(', ')} FROM ${from}) TO STDOUT (FORMAT binary)`,
    columns: [...columns, ...CHANGE_LOG_COLUMNS],
  };
}

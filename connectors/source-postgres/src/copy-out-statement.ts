import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/**
 * `COPY (SELECT "a", "b" FROM "s"."t") TO STDOUT (FORMAT binary)`. Columns are selected by name
 * in the given order, so the COPY output matches the column list handed to the host.
 */
export function copyOutStatement(schema: string, table: string, columns: readonly { readonly name: string }[]): string {
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  return `COPY (SELECT ${list} FROM ${quoteQualified(schema, table)}) TO STDOUT (FORMAT binary)`;
}

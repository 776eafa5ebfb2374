/** A table: `schema.table` split at the first dot (both parts verbatim), `table` (in public), or parts. */
export type TableRef = string | { schema: string; table: string };
/** postgres:// URL with user and password percent-encoded. */
export function pgUrl(parts: { host: string; port: number; database: string; user: string; password?: string }): string;
export function quoteIdent(name: string): string;
export function quoteLiteral(value: string): string;
export function parseTableRef(ref: TableRef): { schema: string; table: string };
/** `"schema"."table"` */
export function quoteTable(ref: TableRef): string;

import { quoteQualified, type StreamName } from '@rapidbyte/sdk/postgres';

/**
 * The relation a stream reads, as SQL names it: a plain table as `ONLY "s"."t"`, anything else
 * (a partitioned table, a view) as `"s"."t"`.
 *
 * A stream of an inheritance parent is the parent's own rows — what `COPY parent TO` and pg_dump
 * read, and what logical replication publishes for it. Without `ONLY`, publishing a parent also
 * publishes every child table: a child without a key of its own (inheritance copies no primary key)
 * then rejects the application's UPDATE/DELETE, its changes reach no stream, and adding the child
 * as its own stream fails with "already member of publication". A partitioned table is different:
 * its rows live in its partitions, so it is read and published whole (`ONLY` would read nothing).
 */
export function streamRelationSql(schema: string, table: string, relkind: string): string {
  return `${relkind === 'r' ? 'ONLY ' : ''}${quoteQualified(schema, table)}`;
}

/** A relation a stream reads: its name, and its `pg_class.relkind` once looked up. */
export interface ReadRelation extends StreamName {
  readonly relkind?: string;
}

/** `FROM` target of a stream's reads (see streamRelationSql; no `ONLY` while the kind is unknown). */
export function readRelationSql(relation: ReadRelation): string {
  return streamRelationSql(relation.schema, relation.table, relation.relkind ?? '');
}

/** The info line of a stream of an inheritance parent: what it reads, and that its children are not in it. */
export function inheritanceNote(stream: string, children: readonly string[]): string | undefined {
  if (children.length === 0) return undefined;
  const shown = children.slice(0, 5).join(', ') + (children.length > 5 ? ` and ${children.length - 5} more` : '');
  return `${stream}: reads the inheritance parent's own rows only (ONLY); the rows of its child tables (${shown}) are streams of their own`;
}

import { quoteQualified } from '@rapidbyte/sdk/postgres';

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

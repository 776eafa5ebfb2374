import { parseStreamName, postgresIdentifier } from '@rapidbyte/sdk/postgres';
import type { StreamConfig, TablePrefix } from './pipeline-config.js';

/**
 * The destination table of a stream without `destination_table`: the source table with
 * `destination.table_prefix` in front (a per-schema map picks the prefix by the source schema).
 * Undefined when there is no prefix, so the destination keeps its own default (the source table).
 */
export function prefixedTableName(streamName: string, prefix: TablePrefix | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const { schema, table } = parseStreamName(streamName);
  const chosen = typeof prefix === 'string' ? prefix : Object.hasOwn(prefix, schema) ? prefix[schema] : undefined;
  return chosen === undefined || chosen === '' ? undefined : `${chosen}${table}`;
}

/** The table a stream loads into: the name the config gives and the one the destination stores. */
export interface DestinationTable {
  /** `destination_table`, else `table_prefix` + the source table, else the source table. */
  readonly requested: string;
  /**
   * What Postgres names `requested`: its first 63 UTF-8 bytes, cut on a character boundary.
   * A longer name used to be cut silently by the server while logs named the long one; this is
   * the name every stage uses (the same table the server made from the long name before).
   */
  readonly table: string;
}

/** The destination table of `stream` (see {@link DestinationTable}). */
export function destinationTableOf(stream: Pick<StreamConfig, 'name' | 'destinationTable'>): DestinationTable {
  const requested = stream.destinationTable ?? parseStreamName(stream.name).table;
  return { requested, table: postgresIdentifier(requested) };
}

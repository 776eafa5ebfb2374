import { parseStreamName } from '@rapidbyte/sdk/postgres';
import type { TablePrefix } from './pipeline-config.js';

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

import { parseStreamName, postgresIdentifier } from '@rapidbyte/sdk/postgres';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { destinationTableOf } from './destination-table-name.js';
import type { PipelineConfig, StreamConfig } from './pipeline-config.js';
import { isStreamPattern } from './stream-pattern.js';

/** Streams that resolve to one destination table without saying so. */
export interface DestinationTableCollision {
  /** The table as the destination names it (63 bytes at most). */
  readonly table: string;
  /** In config order; the first two at least. */
  readonly streams: readonly StreamConfig[];
  /** One line: which streams, which table, why it is refused and how to fix it. */
  readonly message: string;
}

/**
 * Groups of streams that would load into one destination table. All of a pipeline's tables land
 * in the destination's one schema, so the table name decides. Loading two source tables into
 * one is allowed only as a deliberate union: every stream of the group names the same table itself
 * (`destination_table`, not through `table_prefix`, and not two long names Postgres cuts alike)
 * and appends. Anything else is refused: with
 * `upsert` one stream's rows overwrite the other's by key, `replace` swaps the other's rows
 * away, and two `append` streams that met by accident (same source table name, or a name cut
 * at 63 bytes) mix rows nobody asked to mix. Pattern streams are skipped (they are checked once
 * expanded against the source catalog).
 */
export function destinationTableCollisions(streams: readonly StreamConfig[]): DestinationTableCollision[] {
  const byTable = new Map<string, StreamConfig[]>();
  for (const stream of streams) {
    if (isStreamPattern(stream.name)) continue;
    const { table } = destinationTableOf(stream);
    byTable.set(table, [...(byTable.get(table) ?? []), stream]);
  }
  const collisions: DestinationTableCollision[] = [];
  for (const [table, group] of byTable) {
    if (group.length < 2 || isDeliberateUnion(group)) continue;
    collisions.push({ table, streams: group, message: collisionMessage(table, group) });
  }
  return collisions;
}

/** Every stream sets the very same `destination_table` itself (not two long names cut alike) and appends. */
function isDeliberateUnion(group: readonly StreamConfig[]): boolean {
  const named = new Set(group.map((s) => destinationTableOf(s).requested));
  return named.size === 1 && group.every((s) => s.destinationTableExplicit === true && s.writeMode === 'append');
}

/** Streams whose destination table is also `destination.dlq.table`, each with its refusal. */
export function deadLetterTableCollisions(
  config: Pick<PipelineConfig, 'source' | 'destination'>,
): { stream: StreamConfig; message: string }[] {
  const dlq = config.destination.dlqTable;
  if (dlq === undefined) return [];
  return config.source.streams
    .filter((s) => !isStreamPattern(s.name) && destinationTableOf(s).table === postgresIdentifier(dlq))
    .map((stream) => ({
      stream,
      message: `stream '${stream.name}' loads into destination table '${postgresIdentifier(dlq)}', which is also destination.dlq.table; name the dead-letter table differently`,
    }));
}

/**
 * Throws a {@link ConfigError} listing every collision of `config`'s streams — after pattern
 * streams are expanded against the source catalog, before anything is written.
 */
export function assertDistinctDestinationTables(config: PipelineConfig): void {
  const issues: ConfigIssue[] = [
    ...destinationTableCollisions(config.source.streams).map((c) => ({
      file: config.file,
      path: 'source.streams',
      message: c.message,
    })),
    ...deadLetterTableCollisions(config).map((c) => ({
      file: config.file,
      path: 'destination.dlq.table',
      message: c.message,
    })),
  ];
  if (issues.length > 0) throw new ConfigError(issues);
}

function collisionMessage(table: string, group: readonly StreamConfig[]): string {
  const names = group.map((s) => `'${s.name}'`);
  const list =
    names.length === 2
      ? `${names[0]} and ${names[1]} both`
      : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} all`;
  const cut = [...new Set(group.map((s) => destinationTableOf(s).requested).filter((r) => r !== table))];
  const why =
    cut.length > 0
      ? ` (${cut.map((c) => `'${c}'`).join(' and ')} ${cut.length === 1 ? 'is' : 'are'} longer than 63 bytes; Postgres keeps only the first 63 bytes of a name)`
      : '';
  const modes = [...new Set(group.map((s) => s.writeMode))];
  const effect = modes.includes('upsert')
    ? "; one stream's rows would overwrite the other's by key"
    : modes.includes('replace')
      ? "; each replace would swap the other's rows away"
      : '; their rows would be mixed in one table';
  return (
    `streams ${list} load into destination table '${table}'${why}${effect}. ${fix(group, cut.length > 0)} ` +
    'Two streams share a table only as a deliberate union: the same destination_table on each, with write_mode append'
  );
}

function fix(group: readonly StreamConfig[], cut: boolean): string {
  const schemas = [...new Set(group.map((s) => parseStreamName(s.name).schema))];
  if (schemas.length === group.length) {
    const map = schemas.map((schema) => `${schema}: ${schema}_`).join(', ');
    return `Give each its own table: destination.table_prefix by source schema (table_prefix: { ${map} }), or destination_table on each stream (a pattern's table can be listed by name).`;
  }
  return cut
    ? "Give each its own table: a shorter destination.table_prefix, or destination_table on each stream (a pattern's table can be listed by name)."
    : "Give each its own table: destination_table on each stream (a pattern's table can be listed by name), or destination.table_prefix by source schema.";
}

import { describeError, type CheckReport, type SessionContext, type Step } from '@rapidbyte/sdk';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import { cdcNames } from './cdc-names.js';
import { brokenPublicationMembers, checkCdcTable, serverPreflight } from './cdc-preflight.js';
import { describeRelation } from './relation-catalog.js';
import { refuseTextOnlyArraysInCdc } from './text-only-columns.js';
import type { SourceConfig } from './source-config.js';

type CheckItem = CheckReport['items'][number];

/**
 * `check` of the CDC streams: the server preflight once (wal_level, REPLICATION, free slots and
 * WAL senders, publication ownership), then each CDC stream's table — that it exists, is a table
 * logical replication can publish (not a view, not unlogged) and has a usable replica identity —
 * with the same refusals and fixes a run raises before it publishes anything.
 */
export function* checkCdc(conn: number, config: SourceConfig, context: SessionContext): Step<CheckItem[]> {
  const streams = (context.streams ?? []).filter((s) => s.syncMode === 'cdc');
  if (streams.length === 0) return [];
  const names = cdcNames(config.cdc, context.pipeline);
  const items: CheckItem[] = (yield* serverPreflight(conn, { ...names, snapshot: false })).map((i) => ({
    name: `cdc.${i.name}`,
    ok: i.ok,
    message: i.ok ? i.message : `${i.code ?? 'PREFLIGHT_FAILED'}: ${i.message}`,
  }));
  const streamOids = new Set<string>();
  for (const stream of streams) {
    const { schema, table } = parseStreamName(stream.name);
    try {
      const relation = yield* describeRelation(conn, stream.name, schema, table, config.row_security === true);
      streamOids.add(relation.oid);
      const identity = yield* checkCdcTable(conn, stream.name, relation.oid);
      refuseTextOnlyArraysInCdc(stream.name, relation.columns);
      const children =
        relation.inheritanceChildren.length > 0
          ? `; the parent's own rows only, not those of its child tables (${relation.inheritanceChildren.join(', ')})`
          : '';
      items.push({
        name: `cdc.table ${stream.name}`,
        ok: true,
        message: `replica identity ${identity.kind === 'f' ? 'FULL' : `key (${identity.columns.join(', ')})`}${children}`,
      });
    } catch (error) {
      items.push({ name: `cdc.table ${stream.name}`, ok: false, message: describeError(error) });
    }
  }
  for (const problem of yield* brokenPublicationMembers(conn, names.publication, streamOids)) {
    items.push({ name: 'cdc.publication_member', ok: false, message: `NO_REPLICA_IDENTITY: ${problem}` });
  }
  return items;
}

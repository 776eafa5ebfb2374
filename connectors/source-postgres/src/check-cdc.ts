import { describeError, type CheckReport, type SessionContext, type Step } from '@rapidbyte/sdk';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import { cdcNames } from './cdc-names.js';
import { checkReplicaIdentity, serverPreflight } from './cdc-preflight.js';
import { describeRelation } from './relation-catalog.js';
import type { SourceConfig } from './source-config.js';

type CheckItem = CheckReport['items'][number];

/**
 * `check` of the CDC streams: the server preflight once (wal_level, REPLICATION, free slots and
 * WAL senders, publication ownership), then each CDC table's replica identity.
 */
export function* checkCdc(conn: number, config: SourceConfig, context: SessionContext): Step<CheckItem[]> {
  const streams = (context.streams ?? []).filter((s) => s.syncMode === 'cdc');
  if (streams.length === 0) return [];
  const names = cdcNames(config.cdc, context.pipeline);
  const items: CheckItem[] = (yield* serverPreflight(conn, names.publication)).map((i) => ({
    name: `cdc.${i.name}`,
    ok: i.ok,
    message: i.ok ? i.message : `${i.code ?? 'PREFLIGHT_FAILED'}: ${i.message}`,
  }));
  for (const stream of streams) {
    const { schema, table } = parseStreamName(stream.name);
    try {
      const relation = yield* describeRelation(conn, stream.name, schema, table);
      const identity = yield* checkReplicaIdentity(conn, stream.name, relation.oid, schema, table);
      items.push({ name: `cdc.replica_identity ${stream.name}`, ok: true, message: identity.kind === 'f' ? 'FULL' : `key (${identity.columns.join(', ')})` });
    } catch (error) {
      items.push({ name: `cdc.replica_identity ${stream.name}`, ok: false, message: describeError(error) });
    }
  }
  return items;
}

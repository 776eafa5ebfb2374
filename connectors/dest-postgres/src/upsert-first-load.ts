import { log, pg, type Step } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { tableOid } from './target-table.js';
import type { WriteSession } from './write-session.js';

/**
 * Whether an `upsert` session may load with plain COPY (`append`) instead of stage + merge: a
 * full refresh whose upsert key is the source's primary key (so no two source rows share a key),
 * into a target that is missing or empty when the stream starts. Nothing can conflict then, and
 * the merge — the slowest part of an initial load (2.9× the COPY pipe at 5M rows, against 1.3×
 * for append) — is skipped. A resumed or retried stream finds the rows it committed and merges as
 * usual; key ranges of shards never overlap.
 */
export function* upsertLoadsAsAppend(session: WriteSession): Step<boolean> {
  const { conn, stream, input } = session;
  if (stream.syncMode !== 'full_refresh' || !input.fields || !input.sourceKey || input.sourceKey.length === 0)
    return false;
  const key = stream.primaryKey && stream.primaryKey.length > 0 ? stream.primaryKey : input.sourceKey;
  if (!sameKey(key, input.sourceKey)) return false;
  const { schema } = session.settings;
  const oid = yield* tableOid(conn, schema, stream.destinationTable);
  if (oid !== undefined) {
    const r = yield* pg.query(conn, `SELECT EXISTS (SELECT 1 FROM ${quoteQualified(schema, stream.destinationTable)})`);
    if (r.rows[0]?.[0] !== 'f' && r.rows[0]?.[0] !== 'false') return false;
  }
  log.info(
    `${stream.name}: ${quoteQualified(schema, stream.destinationTable)} is ${oid === undefined ? 'missing' : 'empty'} and the key is the source's primary key: loading with COPY (no merge needed)`,
  );
  return true;
}

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

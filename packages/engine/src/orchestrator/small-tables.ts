import { dirname } from 'node:path';
import { parseConnectionConfig, parseStreamName, type ConnectionConfig } from '@rapidbyte/sdk/postgres';
import type { PipelineConfig } from '../config/index.js';
import { checkHost } from '../runtime/capability-policy.js';
import { connectPgClient } from '../runtime/connect-pg-client.js';
import { capabilityPolicyOf } from './capability-policy-of.js';

const LOCK_TIMEOUT_MS = 200;
const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * The streams whose source table (with its indexes and TOAST) is at most `maxBytes` on disk, from
 * one catalog query for all of them. Empty when there is nothing to ask, the source is not
 * PostgreSQL, its host is not allowed, or the query fails: a stream not known to be small is
 * treated as large, which is how every stream ran before. Views and partitioned tables count as
 * large (their size is not their own). A table's size takes a lock on it: behind a lock held by
 * someone else the query gives up at once (all large) instead of holding the whole run up.
 */
export async function smallTables(
  config: PipelineConfig,
  streams: readonly string[],
  maxBytes: number,
): Promise<Set<string>> {
  if (streams.length === 0) return new Set();
  const parsed = parseConnectionConfig(config.source.config as ConnectionConfig, `rapidbyte/${config.pipeline}`);
  if (!parsed.ok) return new Set();
  try {
    checkHost(capabilityPolicyOf(config.source, 'source', dirname(config.file)), parsed.value.host, parsed.value.port);
    const client = await connectPgClient(parsed.value);
    try {
      const names = streams.map((s) => parseStreamName(s));
      await client.query(
        `SET lock_timeout = '${LOCK_TIMEOUT_MS}ms'; SET statement_timeout = '${STATEMENT_TIMEOUT_MS}ms'`,
      );
      const result = await client.query<{ name: string }>(
        `SELECT s.name FROM unnest($1::text[], $2::text[], $3::text[]) AS s(name, nsp, rel)
           JOIN pg_namespace n ON n.nspname = s.nsp
           JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.rel
          WHERE c.relkind IN ('r', 'm') AND pg_total_relation_size(c.oid) <= $4`,
        [streams, names.map((n) => n.schema), names.map((n) => n.table), maxBytes],
      );
      return new Set(result.rows.map((r) => r.name));
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch {
    return new Set();
  }
}

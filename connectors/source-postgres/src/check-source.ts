import { describeError, pg, type CheckReport, type OperationInput, type Step } from '@rapidbyte/sdk';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import { checkCdc } from './check-cdc.js';
import { RELATION_KINDS } from './catalog-queries.js';
import { describeRelation } from './relation-catalog.js';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import type { SourceConfig } from './source-config.js';

/** Oldest server major version this source supports. */
const MIN_SERVER_MAJOR = 10;

type CheckItem = CheckReport['items'][number];

/**
 * `check`: can we connect, which server is it, is it new enough, does each stream's relation exist,
 * and can its CDC streams replicate. Failures become items.
 */
export function* checkSource({ config, context }: OperationInput<SourceConfig>): Step<CheckReport> {
  const items: CheckItem[] = [];
  let conn: number | undefined;
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline ?? 'check'}`);
    items.push({ name: 'connect', ok: true, message: 'connected' });
  } catch (error) {
    items.push({ name: 'connect', ok: false, message: describeError(error) });
    return { items };
  }
  try {
    const version = yield* pg.query(conn, 'select version()');
    items.push({ name: 'version', ok: true, message: version.rows[0]?.[0] ?? '' });
    const server = (yield* pg.query(conn, 'show server_version')).rows[0]?.[0] ?? '';
    const major = Number.parseInt(server, 10);
    const ok = Number.isNaN(major) || major >= MIN_SERVER_MAJOR;
    items.push({
      name: 'server_version',
      ok,
      message: ok ? server : `server ${server} is older than PostgreSQL ${MIN_SERVER_MAJOR}`,
    });
    // CDC streams: checkCdc looks the relation up itself (and refuses what CDC cannot read)
    for (const stream of (context.streams ?? []).filter((s) => s.syncMode !== 'cdc' && !/[*?]/.test(s.name))) {
      const { schema, table } = parseStreamName(stream.name);
      try {
        const relation = yield* describeRelation(conn, stream.name, schema, table, config.row_security === true);
        items.push({
          name: `stream ${stream.name}`,
          ok: true,
          message: RELATION_KINDS[relation.relkind as keyof typeof RELATION_KINDS] ?? `relkind ${relation.relkind}`,
        });
      } catch (error) {
        items.push({ name: `stream ${stream.name}`, ok: false, message: describeError(error) });
      }
    }
    items.push(...(yield* checkCdc(conn, config, context)));
  } catch (error) {
    items.push({ name: 'query', ok: false, message: describeError(error) });
  }
  yield* closeQuietly(conn);
  return { items };
}

import { log, pg, type Catalog, type OperationInput, type Step } from '@rapidbyte/sdk';
import { DISCOVER_SQL, catalogFromRows } from './catalog-queries.js';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import type { SourceConfig } from './source-config.js';
import { withStreamContext } from '@rapidbyte/sdk/postgres';

/** `discover`: tables, partitioned tables, views and materialized views outside system schemas. */
export function* discoverCatalog({ config, context }: OperationInput<SourceConfig>): Step<Catalog> {
  let conn: number | undefined;
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline ?? 'discover'}`);
    const catalog = catalogFromRows((yield* pg.query(conn, DISCOVER_SQL)).rows);
    yield* pg.close(conn);
    conn = undefined;
    log.info(`discovered ${catalog.streams.length} relations`);
    return catalog;
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, undefined, 'discover');
  }
}

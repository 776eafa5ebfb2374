import { ConnectorError, log, pg, type Step } from '@rapidbyte/sdk';
import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { streamRelationSql } from './stream-relation-sql.js';
import { PUBLICATION_SQL, PUBLISHED_SQL } from './cdc-preflight-sql.js';

/** SQLSTATEs of a concurrent CREATE/ALTER PUBLICATION by another stream of the same run. */
const RACE_SQLSTATES: readonly string[] = ['42710', '23505', 'XX000', '40001', '40P01'];

/**
 * Makes sure `publication` publishes the table: creates it (`publish_via_partition_root`, so a
 * partitioned table's changes come under its own name) or adds the table (`ONLY`: see streamRelationSql).
 * Streams of one run do this concurrently, so a lost race is retried.
 */
export function* ensurePublished(
  conn: number,
  stream: string,
  publication: string,
  oid: string,
  schema: string,
  table: string,
  partitioned: boolean,
): Step<void> {
  const name = quoteIdent(publication);
  for (let attempt = 1; ; attempt++) {
    try {
      if ((yield* pg.query(conn, PUBLISHED_SQL, [publication, oid])).rows.length > 0) {
        const pub = (yield* pg.query(conn, PUBLICATION_SQL, [publication])).rows[0];
        if (partitioned && pub && pub[2] !== 'true' && pub[2] !== 't') {
          yield* pg.query(conn, `ALTER PUBLICATION ${name} SET (publish_via_partition_root = true)`);
        }
        return;
      }
      const exists = (yield* pg.query(conn, PUBLICATION_SQL, [publication])).rows.length > 0;
      if (!exists) {
        yield* pg.query(
          conn,
          `CREATE PUBLICATION ${name} FOR TABLE ${streamRelationSql(schema, table, partitioned ? 'p' : 'r')} WITH (publish_via_partition_root = true)`,
        );
        log.info(`${stream}: created publication ${name}`);
      } else {
        yield* pg.query(
          conn,
          `ALTER PUBLICATION ${name} ADD TABLE ${streamRelationSql(schema, table, partitioned ? 'p' : 'r')}`,
        );
        log.info(`${stream}: added ${quoteQualified(schema, table)} to publication ${name}`);
      }
      return;
    } catch (error) {
      const raced =
        error instanceof ConnectorError && error.sqlstate !== undefined && RACE_SQLSTATES.includes(error.sqlstate);
      if (!raced || attempt >= 8) throw error;
      yield* pg.query(conn, `SELECT pg_sleep(${(0.05 * attempt).toFixed(2)})`);
    }
  }
}

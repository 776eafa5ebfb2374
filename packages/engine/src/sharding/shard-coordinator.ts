import type pg from 'pg';
import type { PgConnectOptions } from '@rapidbyte/sdk/contract';
import { parseStreamName, quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';
import { REPLICATION_SESSION_OPTIONS } from '../cdc/replication-connection.js';
import { connectPgClient } from '../runtime/connect-pg-client.js';

/** Rows the boundary sample aims at (`TABLESAMPLE SYSTEM`), whatever the table's size. */
const SAMPLE_TARGET_ROWS = 100_000;

/** The table a sharded stream reads: its oid and size estimate. */
export interface ShardedTable {
  readonly oid: number;
  /** `reltuples`, or the heap size / 100 bytes when the table was never analysed. */
  readonly estimatedRows: number;
}

/** Why a stream cannot be split by key ranges (it then runs as one chain). */
export type KeyChoice =
  { readonly ok: true; readonly key: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * The main thread's side of a sharded full refresh: one source connection holding a
 * REPEATABLE READ READ ONLY transaction whose snapshot is exported (`pg_export_snapshot()`) for
 * every shard to import, so the shards together read one point-in-time copy of the table. It also
 * picks the key and the range bounds. The transaction stays open until `close()` — the shards
 * import the snapshot when they start, which may be later than the first (parallelism permits).
 */
export class ShardCoordinator {
  private constructor(
    private readonly client: pg.Client,
    /** The exported snapshot id. */
    readonly snapshot: string,
  ) {}

  /** Connects (session pinned to UTC/ISO like the source's reads), opens the transaction and exports its snapshot. */
  static async open(options: PgConnectOptions): Promise<ShardCoordinator> {
    const client = await connectPgClient(
      { ...options, applicationName: `${options.applicationName || 'rapidbyte'}/shards` },
      { options: REPLICATION_SESSION_OPTIONS },
    );
    client.on('error', () => undefined);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const r = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
      return new ShardCoordinator(client, r.rows[0]?.snapshot as string);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** The stream's table, or undefined when the snapshot has no such table. */
  async table(stream: string): Promise<ShardedTable | undefined> {
    const { schema, table } = parseStreamName(stream);
    const r = await this.client.query<{ oid: string; reltuples: number; bytes: string; relkind: string }>(
      `SELECT c.oid::text AS oid, c.reltuples::float8 AS reltuples, pg_relation_size(c.oid)::text AS bytes, c.relkind::text AS relkind
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, table],
    );
    const row = r.rows[0];
    if (!row || row.relkind !== 'r') return undefined;
    const estimatedRows = row.reltuples > 0 ? row.reltuples : Number(row.bytes) / 100;
    return { oid: Number(row.oid), estimatedRows: Math.round(estimatedRows) };
  }

  /**
   * The key the ranges split, chosen as the source chooses its read key: the stream's
   * `primary_key` when every column exists, else the table's primary key. Every column must be
   * NOT NULL (a row comparison never matches a NULL: such a row would be in no shard).
   */
  async key(table: ShardedTable, configured: readonly string[] | undefined): Promise<KeyChoice> {
    const columns = await this.client.query<{ name: string; notnull: boolean }>(
      'SELECT attname AS name, attnotnull AS notnull FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped',
      [table.oid],
    );
    const byName = new Map(columns.rows.map((c) => [c.name, c.notnull]));
    if (configured && configured.length > 0 && configured.every((c) => byName.has(c))) {
      const nullable = configured.filter((c) => byName.get(c) !== true);
      if (nullable.length > 0)
        return { ok: false, reason: `primary_key column(s) ${nullable.join(', ')} are nullable` };
      return { ok: true, key: configured };
    }
    const pk = await this.client.query<{ name: string }>(
      `SELECT a.attname AS name
         FROM pg_catalog.pg_index i
         CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary
        ORDER BY k.ord`,
      [table.oid],
    );
    if (pk.rows.length === 0) return { ok: false, reason: 'the table has no primary key and the stream sets none' };
    return { ok: true, key: pk.rows.map((r) => r.name) };
  }

  /**
   * Up to `count - 1` ascending key tuples (Postgres text values) that cut the table into `count`
   * ranges of about equal size: the largest key of each `ntile` of a `TABLESAMPLE SYSTEM` sample
   * of about SAMPLE_TARGET_ROWS rows, sorted by the typed key (whole table when the sample comes
   * back too small). Fewer bounds come back when the table has fewer rows than shards.
   */
  async bounds(stream: string, table: ShardedTable, key: readonly string[], count: number): Promise<string[][]> {
    const percent = Math.min(100, Math.max(0.01, (100 * SAMPLE_TARGET_ROWS) / Math.max(1, table.estimatedRows)));
    let bounds = await this.sampleBounds(stream, key, count, percent);
    if (bounds.length < count - 1 && percent < 100) bounds = await this.sampleBounds(stream, key, count, 100);
    return bounds;
  }

  private async sampleBounds(
    stream: string,
    key: readonly string[],
    count: number,
    percent: number,
  ): Promise<string[][]> {
    const { schema, table } = parseStreamName(stream);
    const typed = key.map((k) => `r.${quoteIdent(k)}`).join(', ');
    const sampled = key.map((k) => `s.${quoteIdent(k)}`);
    const text = key.map((k, i) => `s.${quoteIdent(k)}::text AS k${i}`).join(', ');
    const sample = percent >= 100 ? '' : ` TABLESAMPLE SYSTEM (${percent.toFixed(4)})`;
    const sql =
      `SELECT DISTINCT ON (s.tile) ${text} FROM (SELECT ${typed}, ntile(${count}) OVER (ORDER BY ${typed}) AS tile ` +
      // ONLY: a sharded stream is a plain table, read without its inheritance children (as the shards' COPY reads it)
      `FROM ONLY ${quoteQualified(schema, table)} AS r${sample}) AS s WHERE s.tile < ${count} ` +
      `ORDER BY s.tile, ${sampled.map((c) => `${c} DESC`).join(', ')}`;
    const r = await this.client.query({ text: sql, rowMode: 'array' });
    return (r.rows as (string | null)[][]).map((row) => row.map((v) => v ?? ''));
  }

  /** Ends the transaction (the snapshot can no longer be imported) and the connection. */
  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

import { ConnectorError, log, pg, type Step } from '@rapidbyte/sdk';

/** Postgres `unique_violation`: building a primary key or unique index over rows that repeat a key. */
const UNIQUE_VIOLATION = '23505';

/**
 * `$1` = oid of a table just created in the open transaction, `$2` = its quoted, qualified name
 * -> (drop, build, index comment, constraint comment, columns, kind, constraint name, constraint
 * definition) per index, in creation order. `build` recreates the
 * index under the same name (a constraint's index through its constraint, with the same name and
 * definition), so rebuilt indexes pair with the target's exactly as the created ones would in the
 * swap (same names, same definitions, same creation order). `comment` re-applies the comments
 * `LIKE ... INCLUDING COMMENTS` gave the index and its constraint. Indexes in another tablespace
 * or with a per-column statistics target are left in place (rare; their definition text does not
 * carry those).
 */
export const DEFERRABLE_INDEXES_SQL = `SELECT
  CASE WHEN k.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass::text)
       ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', $2::text, k.conname) END,
  CASE WHEN k.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
       ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', $2::text, k.conname, pg_get_constraintdef(k.oid)) END,
  (SELECT format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass::text, d.description)
     FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = i.indexrelid AND d.objsubid = 0),
  (SELECT format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, $2::text, d.description)
     FROM pg_description d WHERE d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid AND d.objsubid = 0),
  (SELECT string_agg(pg_get_indexdef(i.indexrelid, n, false), ', ' ORDER BY n) FROM generate_series(1, i.indnkeyatts) n),
  CASE WHEN i.indisprimary THEN 'primary key' WHEN i.indisunique THEN 'unique index' ELSE 'index' END,
  k.conname, pg_get_constraintdef(k.oid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
WHERE i.indrelid = $1::oid AND c.reltablespace = 0
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0)
ORDER BY i.indexrelid`;

/** An index taken off a table for its load, and how to build it again. */
export interface DeferredIndex {
  readonly build: string;
  /** `COMMENT ON ...` statements to run after the build. */
  readonly comments: readonly string[];
  /** The key columns (or expressions), for messages. */
  readonly columns: string;
  readonly kind: string;
  /** The index's constraint (primary key, unique, exclusion), when it has one. */
  readonly constraint?: { readonly name: string; readonly definition: string };
}

/**
 * Drops the indexes (primary key included) of a table created in the open transaction and not
 * loaded yet, returning what rebuilds them: a COPY into a bare heap, then one sort per index
 * (`buildDeferredIndexes`), is faster than maintaining the indexes row by row.
 */
export function* dropIndexesForLoad(conn: number, oid: string, qualified: string): Step<DeferredIndex[]> {
  const deferred: DeferredIndex[] = [];
  const rows = (yield* pg.query(conn, DEFERRABLE_INDEXES_SQL, [oid, qualified])).rows;
  for (const [drop, build, indexComment, constraintComment, columns, kind, name, definition] of rows) {
    yield* pg.query(conn, drop ?? '');
    deferred.push({
      build: build ?? '',
      comments: [indexComment, constraintComment].filter((c): c is string => c !== undefined),
      columns: columns ?? '',
      kind: kind ?? 'index',
      ...(name !== undefined && definition !== undefined && { constraint: { name, definition } }),
    });
  }
  return deferred;
}

/**
 * Builds the indexes `dropIndexesForLoad` took off, in their order, inside the caller's
 * transaction. Rows that repeat a key of a primary key or unique index fail the stream with a
 * permanent `DUPLICATE_KEY` naming the stream, the table, the key and the first repeated value,
 * and `outcome` (what became of the rows); the caller rolls its transaction back.
 */
export function* buildDeferredIndexes(
  conn: number,
  stream: string,
  shown: string,
  deferred: readonly DeferredIndex[],
  outcome = 'nothing of this load is kept',
): Step<void> {
  for (const index of deferred) {
    try {
      yield* pg.query(conn, index.build);
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.sqlstate !== UNIQUE_VIOLATION) throw error;
      throw ConnectorError.permanent(
        'DUPLICATE_KEY',
        `${stream}: the rows loaded into ${shown} repeat a value of its ${index.kind} (${index.columns}), so the ` +
          `${index.kind} cannot be built (${error.message}); ${outcome}. The source has rows with ` +
          'the same key (a view, or a table without that primary key?): fix the source, or set primary_key to columns that are unique',
        { stream, sqlstate: UNIQUE_VIOLATION },
      );
    }
    for (const sql of index.comments) yield* pg.query(conn, sql);
  }
  if (deferred.length > 0) log.info(`${stream}: built ${deferred.length} deferred index(es) of ${shown}`);
}

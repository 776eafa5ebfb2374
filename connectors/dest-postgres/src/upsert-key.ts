import { ConnectorError, pg, type FrameField, type Step, type StreamContext } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { keyColumnsMissing, keyParam, PRIMARY_KEY_COLUMNS_SQL, UNIQUE_KEY_SQL } from './key-check-sql.js';

/**
 * The key `upsert` merges on: the stream's `primary_key`, else the source table's (frame schema
 * metadata), else the existing target's primary key.
 * Checks that every key column is in the data and — for an existing target — that a unique index
 * on exactly those columns exists (what `ON CONFLICT (key)` needs). A missing target (`oid`
 * undefined) will be created with this key. Errors are permanent and name table and columns.
 */
export function* resolveUpsertKey(
  conn: number,
  stream: StreamContext,
  schema: string,
  oid: string | undefined,
  fields: readonly FrameField[],
  sourceKey?: readonly string[],
): Step<string[]> {
  const target = quoteQualified(schema, stream.destinationTable);
  const configured =
    stream.primaryKey && stream.primaryKey.length > 0 ? [...stream.primaryKey] : sourceKey ? [...sourceKey] : undefined;
  const key =
    configured ?? (oid ? (yield* pg.query(conn, PRIMARY_KEY_COLUMNS_SQL, [oid])).rows.map((r) => r[0] ?? '') : []);
  if (key.length === 0) {
    throw ConnectorError.permanent(
      'PRIMARY_KEY_REQUIRED',
      `${stream.name}: write_mode upsert needs a key: set primary_key for the stream` +
        (oid ? ` or give ${target} a primary key` : ` (${target} does not exist yet and is created with it)`),
      { stream: stream.name },
    );
  }
  const missing = keyColumnsMissing(key, fields);
  if (missing.length > 0) {
    throw ConnectorError.permanent(
      'PRIMARY_KEY_MISSING_IN_DATA',
      `${stream.name}: key column${missing.length > 1 ? 's' : ''} ${missing.map((c) => JSON.stringify(c)).join(', ')} of (${key.join(', ')}) ` +
        `${missing.length > 1 ? 'are' : 'is'} not in the stream's data (it has ${fields.map((f) => JSON.stringify(f.name)).join(', ')}); ` +
        `add ${missing.length > 1 ? 'them' : 'it'} to columns`,
      { stream: stream.name, column: missing[0] },
    );
  }
  if (oid) {
    const unique = (yield* pg.query(conn, UNIQUE_KEY_SQL, [oid, keyParam(key)])).rows[0]?.[0];
    if (unique !== 't' && unique !== 'true') {
      throw ConnectorError.permanent(
        'PRIMARY_KEY_NOT_UNIQUE',
        `${stream.name}: ${target} has no primary key or unique index on exactly (${key.join(', ')}), which upsert ` +
          `needs; add one (ALTER TABLE ${target} ADD PRIMARY KEY (...)) or set primary_key to the columns of one`,
        { stream: stream.name, column: key[0] },
      );
    }
  }
  return key;
}

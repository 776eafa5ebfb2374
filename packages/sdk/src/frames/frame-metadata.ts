/**
 * Arrow metadata keys the engine and connectors exchange on frames. Each key is defined here once:
 * the engine sets and reads them on the host side, connectors on the guest side, and a key spelt
 * differently on one side would be silently ignored by the other.
 */

/** Field metadata carried on every Arrow field produced from a Postgres column. */
export const PG_METADATA_KEYS = {
  /** The column's type name (`int4`, `varchar`, a domain's or enum's name). */
  type: 'rapidbyte.pg_type',
  /** The column's type OID, as decimal text. */
  oid: 'rapidbyte.pg_oid',
  /** `pg_type.typcategory` (`N`, `S`, `E`, ...). */
  category: 'rapidbyte.pg_category',
  /** An enum column's labels, a JSON list in sort order. */
  enumLabels: 'rapidbyte.pg_enum_labels',
  /** `binary` for a Binary field holding raw Postgres binary-format values (types with no native Arrow mapping). */
  encoding: 'rapidbyte.pg_encoding',
} as const;

const PG_METADATA_KEY_SET: ReadonlySet<string> = new Set(Object.values(PG_METADATA_KEYS));

/** Whether `key` is one of {@link PG_METADATA_KEYS}: what a field that changes type must drop. */
export function isPgMetadataKey(key: string): boolean {
  return PG_METADATA_KEY_SET.has(key);
}

/** Schema metadata: the source table's primary key, a JSON list of column names (upserts find the key by it). */
export const PRIMARY_KEY_METADATA = 'rapidbyte.primary_key';

/** Schema metadata: the source stream a frame was read from. */
export const SOURCE_STREAM_METADATA = 'rapidbyte.source_stream';

/** Schema metadata: generated columns the source leaves out of its frames, so a destination table created for them computes them. */
export const GENERATED_COLUMNS_METADATA = 'rapidbyte.generated_columns';

/** Schema metadata: column -> the domain its type is at the source, so a destination table created for it uses the domain where it exists. */
export const DOMAIN_COLUMNS_METADATA = 'rapidbyte.domain_columns';

/**
 * Schema metadata: column -> the composite type its type (or its array's element type) is at the
 * source, `{ "type": "<unqualified name>", "attributes": [["<name>", "<format_type>"], …] }`, so a
 * destination that lacks the type creates it before the table.
 */
export const COMPOSITE_COLUMNS_METADATA = 'rapidbyte.composite_columns';

/** Schema metadata (source -> engine only, removed before frames are built): `[[attnum, name, typeOid], …]` of a CDC stream's columns at its start. */
export const COLUMN_IDENTITY_METADATA = 'rapidbyte.column_identity';

/** Frame schema metadata: `{ "<new name>": "<old name>" }` for renamed columns. */
export const RENAMED_COLUMNS_METADATA = 'rapidbyte.renamed_columns';

/** Frame schema metadata: `{ "<column>": { "value": "<text>" } | { "unknown": true } }`, what earlier rows hold in an added column. */
export const COLUMN_FILL_METADATA = 'rapidbyte.column_fill';

/** Schema metadata a source sets on a CDC stream with a column list (`'true'`): columns added to the table are not followed. */
export const PROJECTED_METADATA = 'rapidbyte.projected';

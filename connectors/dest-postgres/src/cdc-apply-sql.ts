import { quoteIdent, quoteLiteral, quoteQualified } from '@rapidbyte/sdk/postgres';
import { DELETED_AT_COLUMN, SYNCED_AT_COLUMN, type CdcSettings } from './cdc-settings.js';
import { CDC_STAGE, type StageChangeColumns } from './cdc-stage-sql.js';

/**
 * Set-based statements that apply one staged change frame (`"pg_temp"."_rb_cdc_stage" AS s`) to
 * the target (`AS t`) of a `cdc × upsert` stream. `columns` are the stream's columns (the stage's
 * data columns), `key` ⊆ `columns` the key the target is unique on, `change` the names of the
 * stage's operation and unchanged-list columns.
 */

const op = (change: StageChangeColumns): string => `s.${quoteIdent(change.op)}`;
const unchanged = (change: StageChangeColumns): string => `s.${quoteIdent(change.unchanged)}`;
/** Staged inserts and updates that hold unchanged TOAST columns. */
const hasUnchanged = (change: StageChangeColumns): string =>
  `${unchanged(change)} IS NOT NULL AND ${op(change)} IN ('I', 'U')`;

/** `t."a" = s."a" AND t."b" = s."b"` (keys hold no NULLs). */
export function keyMatch(key: readonly string[]): string {
  return key.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
}

/**
 * Staged rows with unchanged TOAST columns whose key is not in the target (their stored value is
 * unknown): `_rb_unchanged`, then the key values as text; at most `limit` rows.
 */
export function unchangedMissingSql(
  schema: string,
  table: string,
  key: readonly string[],
  change: StageChangeColumns,
  limit = 5,
): string {
  const keys = key.map((k) => `s.${quoteIdent(k)}::text`).join(', ');
  return (
    `SELECT ${unchanged(change)}, ${keys} FROM ${CDC_STAGE} AS s\n` +
    `WHERE ${hasUnchanged(change)}\n` +
    `  AND NOT EXISTS (SELECT 1 FROM ${quoteQualified(schema, table)} AS t WHERE ${keyMatch(key)})\n` +
    `LIMIT ${limit}`
  );
}

/**
 * Fills the unchanged TOAST columns of staged rows from the target row with the same key:
 * `SET "c" = CASE WHEN s."_rb_unchanged"::jsonb ? 'c' THEN t."c" ELSE s."c" END` for every non-key
 * column. Undefined when every column is a key column.
 */
export function unchangedFillSql(
  schema: string,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  change: StageChangeColumns,
): string | undefined {
  const fill = columns.filter((c) => !key.includes(c));
  if (fill.length === 0) return undefined;
  const sets = fill.map(
    (c) =>
      `${quoteIdent(c)} = CASE WHEN ${unchanged(change)}::jsonb ? ${quoteLiteral(c)} THEN t.${quoteIdent(c)} ELSE s.${quoteIdent(c)} END`,
  );
  return (
    `UPDATE ${CDC_STAGE} AS s SET ${sets.join(', ')}\n` +
    `FROM ${quoteQualified(schema, table)} AS t\n` +
    `WHERE ${hasUnchanged(change)} AND ${keyMatch(key)}`
  );
}

/** Staged deletes: `DELETE ... USING`, or with soft delete `UPDATE ... SET "_rb_deleted_at" = now()` of live rows. */
export function applyDeletesSql(
  schema: string,
  table: string,
  key: readonly string[],
  change: StageChangeColumns,
  settings: CdcSettings,
): string {
  const target = quoteQualified(schema, table);
  if (!settings.softDelete)
    return `DELETE FROM ${target} AS t USING ${CDC_STAGE} AS s WHERE ${op(change)} = 'D' AND ${keyMatch(key)}`;
  return (
    `UPDATE ${target} AS t SET ${softDeleteSets(settings)}\n` +
    `FROM ${CDC_STAGE} AS s WHERE ${op(change)} = 'D' AND ${keyMatch(key)} AND t.${quoteIdent(DELETED_AT_COLUMN)} IS NULL`
  );
}

/**
 * Staged inserts and updates: `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE SET` every
 * non-key column (soft delete: revives the row, `_rb_deleted_at = NULL`; synced_at: `now()`).
 * `DO NOTHING` when there is nothing to set. Identity `GENERATED ALWAYS` columns of the target
 * (`identityAlways`) are inserted with `OVERRIDING SYSTEM VALUE` and never updated.
 */
export function applyUpsertsSql(
  schema: string,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  change: StageChangeColumns,
  settings: CdcSettings,
  identityAlways: readonly string[] = [],
): string {
  const insertCols = columns.map(quoteIdent);
  const values = columns.map((c) => `s.${quoteIdent(c)}`);
  const sets = columns
    .filter((c) => !key.includes(c) && !identityAlways.includes(c))
    .map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  if (settings.syncedAt) {
    insertCols.push(quoteIdent(SYNCED_AT_COLUMN));
    values.push('now()');
    sets.push(`${quoteIdent(SYNCED_AT_COLUMN)} = EXCLUDED.${quoteIdent(SYNCED_AT_COLUMN)}`);
  }
  if (settings.softDelete) sets.push(`${quoteIdent(DELETED_AT_COLUMN)} = NULL`);
  const action = sets.length > 0 ? `DO UPDATE SET ${sets.join(', ')}` : 'DO NOTHING';
  const overriding = columns.some((c) => identityAlways.includes(c)) ? ' OVERRIDING SYSTEM VALUE' : '';
  return (
    `INSERT INTO ${quoteQualified(schema, table)} AS t (${insertCols.join(', ')})${overriding}\n` +
    `SELECT ${values.join(', ')} FROM ${CDC_STAGE} AS s WHERE ${op(change)} IN ('I', 'U')\n` +
    `ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${action}`
  );
}

/** A source TRUNCATE (or a re-snapshot): `TRUNCATE`, or with soft delete mark every live row deleted. */
export function truncateTargetSql(
  schema: string,
  table: string,
  settings: CdcSettings,
  options: { readonly hard?: boolean } = {},
): string {
  const target = quoteQualified(schema, table);
  if (!settings.softDelete || options.hard === true) return `TRUNCATE ${target}`;
  return `UPDATE ${target} SET ${softDeleteSets(settings)} WHERE ${quoteIdent(DELETED_AT_COLUMN)} IS NULL`;
}

function softDeleteSets(settings: CdcSettings): string {
  const sets = [`${quoteIdent(DELETED_AT_COLUMN)} = now()`];
  if (settings.syncedAt) sets.push(`${quoteIdent(SYNCED_AT_COLUMN)} = now()`);
  return sets.join(', ');
}

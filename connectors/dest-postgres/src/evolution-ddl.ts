import { quoteIdent, quoteLiteral, quoteQualified } from '@rapidbyte/sdk/postgres';
import { enumSqlType, type EnumTypeSpec } from './create-table-ddl.js';
import type { FrameColumn } from './frame-columns.js';
import type { EvolutionAction } from './plan-evolution.js';
import { isSafeTypeName } from './sql-type-name.js';

/** The statements that apply one planned change to `schema.table`, after creating `enums`. */
export type EvolutionDdl =
  | { readonly ok: true; readonly enums: readonly EnumTypeSpec[]; readonly statements: readonly string[] }
  | { readonly ok: false; readonly column: string; readonly message: string };

/**
 * - add: `ALTER TABLE … ADD COLUMN IF NOT EXISTS "c" <source type>` (nullable: rows before it are NULL);
 *   with `existing` (the constant the source's existing rows took), `… DEFAULT '<existing>'::<type>`
 *   then `DROP DEFAULT`: the rows already there get that value (no table rewrite), later ones what is written
 * - coerce: `ALTER TABLE … ALTER COLUMN "c" TYPE <source type> USING "c"::<source type>`
 * - dropNotNull: `ALTER TABLE … ALTER COLUMN "c" DROP NOT NULL`
 * Enum types (and arrays of them) become an enum of the same name in the destination schema, as
 * at CREATE TABLE.
 */
export function evolutionDdl(schema: string, table: string, action: EvolutionAction, existing?: string): EvolutionDdl {
  const qualified = quoteQualified(schema, table);
  const column = quoteIdent(action.column);
  const enums: EnumTypeSpec[] = [];
  const statements: string[] = [];
  if ((action.action === 'add' || action.action === 'coerce') && action.source) {
    const sqlType = columnSqlType(schema, action.source, enums);
    if (sqlType === undefined) {
      return {
        ok: false,
        column: action.column,
        message: `column ${JSON.stringify(action.column)} has an unusable type ${JSON.stringify(action.source.typeName)}`,
      };
    }
    if (action.action === 'add' && existing !== undefined) {
      statements.push(
        `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${column} ${sqlType} DEFAULT ${quoteLiteral(existing)}::${sqlType}`,
        `ALTER TABLE ${qualified} ALTER COLUMN ${column} DROP DEFAULT`,
      );
    } else {
      statements.push(
        action.action === 'add'
          ? `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${column} ${sqlType}`
          : `ALTER TABLE ${qualified} ALTER COLUMN ${column} TYPE ${sqlType} USING ${column}::${sqlType}`,
      );
    }
  }
  if (action.dropNotNull) statements.push(`ALTER TABLE ${qualified} ALTER COLUMN ${column} DROP NOT NULL`);
  return { ok: true, enums, statements };
}

function columnSqlType(schema: string, source: FrameColumn, enums: EnumTypeSpec[]): string | undefined {
  if (source.category === 'E' && source.enumLabels.length === 0) return undefined;
  return enumSqlType(schema, source, enums) ?? (isSafeTypeName(source.typeName) ? source.typeName : undefined);
}

import type { ErrorCode } from '@rapidbyte/sdk';
import type { FrameColumn } from './frame-columns.js';
import {
  arrayElementTypeName,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  unqualifiedTypeName,
} from '@rapidbyte/sdk/postgres';
import { isSafeTypeName } from './sql-type-name.js';

/** An enum type to create in the destination schema before the table. */
export interface EnumTypeSpec {
  readonly schema: string;
  readonly name: string;
  readonly labels: readonly string[];
}

/** The statements that create a table for a frame schema. */
export interface TablePlan {
  readonly enums: readonly EnumTypeSpec[];
  readonly createTable: string;
}

export type TablePlanResult =
  | ({ readonly ok: true } & TablePlan)
  | { readonly ok: false; readonly code: ErrorCode; readonly column: string; readonly message: string };

/**
 * `CREATE TABLE "schema"."table" (...)` with the exact source column types, NOT NULL where the
 * field is not nullable, and the primary key if known. Enum columns (category `E`) and arrays of
 * enums use an enum type of the same (unqualified) name in the destination schema, which `enums`
 * lists (`enumSqlType`). A column with `generated` is created `GENERATED ALWAYS AS (expression)
 * STORED` (the expression was checked by `generatedColumnsOf`).
 */
export function planCreateTable(
  schema: string,
  table: string,
  columns: readonly FrameColumn[],
  primaryKey: readonly string[] | undefined,
  options: { readonly ifNotExists?: boolean } = {},
): TablePlanResult {
  const enums: EnumTypeSpec[] = [];
  const defs: string[] = [];
  for (const column of columns) {
    let sqlType = column.typeName;
    const enumType = enumSqlType(schema, column, enums);
    if (column.category === 'E' && column.enumLabels.length === 0) {
      return fail(
        'ENUM_LABELS_MISSING',
        column.name,
        `enum column ${JSON.stringify(column.name)} (${column.typeName}) came without its labels`,
      );
    }
    if (enumType !== undefined) {
      sqlType = enumType;
    } else if (!isSafeTypeName(sqlType)) {
      return fail(
        'INVALID_TYPE_NAME',
        column.name,
        `column ${JSON.stringify(column.name)} has an unusable type name ${JSON.stringify(sqlType)}`,
      );
    }
    const generated = column.generated === undefined ? '' : ` GENERATED ALWAYS AS (${column.generated}) STORED`;
    defs.push(`${quoteIdent(column.name)} ${sqlType}${generated}${column.nullable ? '' : ' NOT NULL'}`);
  }
  const key = primaryKey ?? [];
  for (const k of key) {
    if (!columns.some((c) => c.name === k)) {
      return fail(
        'PRIMARY_KEY_COLUMN_MISSING',
        k,
        `primary key column ${JSON.stringify(k)} is not among the stream's columns`,
      );
    }
  }
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  const body = defs.length > 0 ? `\n  ${defs.join(',\n  ')}\n` : '';
  return {
    ok: true,
    enums,
    createTable: `CREATE TABLE ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteQualified(schema, table)} (${body})`,
  };
}

/**
 * The destination type of an enum column (category `E`, with labels) or of an array of an enum
 * (category `A` carrying its element's labels): the enum of the same unqualified name in
 * `schema`, which is added to `enums`; `"schema"."mood"` or `"schema"."mood"[]`. Undefined for
 * any other column.
 */
export function enumSqlType(schema: string, column: FrameColumn, enums: EnumTypeSpec[]): string | undefined {
  if (column.enumLabels.length === 0) return undefined;
  const element =
    column.category === 'E'
      ? column.typeName
      : column.category === 'A'
        ? arrayElementTypeName(column.typeName)
        : undefined;
  if (element === undefined) return undefined;
  const name = unqualifiedTypeName(element);
  if (!enums.some((e) => e.name === name)) enums.push({ schema, name, labels: column.enumLabels });
  return quoteQualified(schema, name) + (column.category === 'A' ? '[]' : '');
}

/** `CREATE TYPE "schema"."mood" AS ENUM ('sad', 'ok')`. */
export function createEnumTypeDdl(spec: EnumTypeSpec): string {
  return `CREATE TYPE ${quoteQualified(spec.schema, spec.name)} AS ENUM (${spec.labels.map(quoteLiteral).join(', ')})`;
}

/** `ALTER TYPE ... ADD VALUE IF NOT EXISTS` for labels an existing enum type lacks. */
export function addEnumLabelsDdl(spec: EnumTypeSpec, existing: readonly string[]): string[] {
  const have = new Set(existing);
  return spec.labels
    .filter((l) => !have.has(l))
    .map((l) => `ALTER TYPE ${quoteQualified(spec.schema, spec.name)} ADD VALUE IF NOT EXISTS ${quoteLiteral(l)}`);
}

function fail(code: ErrorCode, column: string, message: string): TablePlanResult {
  return { ok: false, code, column, message };
}

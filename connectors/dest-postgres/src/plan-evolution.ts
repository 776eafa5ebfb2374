import type { FrameField, PgColumn } from '@rapidbyte/sdk';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/frames';
import { frameColumns, type FrameColumn } from './frame-columns.js';
import type { EvolutionPolicy, SchemaChange, SchemaChangeKind } from './evolution-policy.js';
import { arrayElementTypeName, unqualifiedTypeName } from '@rapidbyte/sdk/postgres';

/** A destination column as planning sees it; `inKey`: part of the table's primary key. */
export type TargetColumn = PgColumn & { readonly inKey?: boolean };

/** A change to apply: what the result lists, plus what the DDL needs. */
export interface EvolutionAction extends SchemaChange {
  /** new_column `add`, type_change `coerce`: the source column (its exact type). */
  readonly source?: FrameColumn;
  /** The destination column must accept NULL (`ALTER COLUMN ... DROP NOT NULL`). */
  readonly dropNotNull?: boolean;
}

/** A change a `fail` policy refuses (or one that cannot be applied), naming the column. */
export interface EvolutionError {
  readonly column: string;
  readonly change: SchemaChangeKind;
  readonly message: string;
}

export interface EvolutionPlan {
  readonly actions: readonly EvolutionAction[];
  readonly errors: readonly EvolutionError[];
  /** Frame fields not loaded: new columns ignored, columns whose type change writes NULL. */
  readonly skipFields: readonly string[];
}

/**
 * Compares a frame schema with the destination table under `policy` (pure; the same for the
 * schema at stream start, a frame whose schema changed mid-stream, or a CDC relation change):
 * - new_column: a field the table lacks. `add` (nullable column of the source type), `ignore`
 *   (not loaded), `fail`.
 * - removed_column: a table column no field has. `ignore` (kept; new rows get its default or
 *   NULL, so a NOT NULL outside the key is dropped), `fail`.
 * - type_change: the field's `rapidbyte.pg_type` differs from the column's type (only fields
 *   with that metadata are compared: other frames are converted by the host). `coerce`
 *   (ALTER TYPE … USING), `null` (not loaded, NOT NULL dropped), `fail`.
 * - nullability_change: the field is nullable and the column is NOT NULL (outside the primary
 *   key). `allow` drops the NOT NULL, `fail`. A column more permissive than the source is no change.
 */
export function planEvolution(
  frameFields: readonly FrameField[],
  targetColumns: readonly TargetColumn[],
  policy: EvolutionPolicy,
): EvolutionPlan {
  const actions: EvolutionAction[] = [];
  const errors: EvolutionError[] = [];
  const skipFields: string[] = [];
  const byName = new Map(targetColumns.map((c) => [c.name, c]));
  const fieldNames = new Set(frameFields.map((f) => f.name));
  const refuse = (column: string, change: SchemaChangeKind, message: string): void => {
    errors.push({ column, change, message });
  };

  for (const field of frameFields) {
    const target = byName.get(field.name);
    const described = frameColumns({ fields: [field] });
    const source = described.ok ? described.columns[0] : undefined;
    if (!target) {
      if (policy.newColumn === 'fail')
        refuse(
          field.name,
          'new_column',
          `new source column ${JSON.stringify(field.name)} (schema_evolution.new_column: fail)`,
        );
      else if (policy.newColumn === 'ignore') {
        skipFields.push(field.name);
        actions.push({
          column: field.name,
          change: 'new_column',
          action: 'ignore',
          ...(source && { to: source.typeName }),
        });
      } else if (!source)
        refuse(
          field.name,
          'new_column',
          `cannot add column ${JSON.stringify(field.name)}: ${described.ok ? 'no type' : described.message}`,
        );
      else actions.push({ column: field.name, change: 'new_column', action: 'add', to: source.typeName, source });
      continue;
    }
    const dropNotNull = !target.nullable && !target.inKey;
    let nulled = false;
    if (source && field.metadata?.[PG_METADATA_KEYS.type] && !sameType(source, target)) {
      const change = { column: field.name, change: 'type_change' as const, from: target.typeName, to: source.typeName };
      if (policy.typeChange === 'fail') {
        refuse(
          field.name,
          'type_change',
          `column ${JSON.stringify(field.name)} changed type from ${target.typeName} to ${source.typeName} (schema_evolution.type_change: fail)`,
        );
      } else if (policy.typeChange === 'null') {
        nulled = true;
        skipFields.push(field.name);
        actions.push({ ...change, action: 'null', ...(dropNotNull && { dropNotNull }) });
      } else actions.push({ ...change, action: 'coerce', source });
    }
    if (!nulled && field.nullable !== false && dropNotNull) {
      if (policy.nullabilityChange === 'fail') {
        refuse(
          field.name,
          'nullability_change',
          `column ${JSON.stringify(field.name)} is nullable at the source and NOT NULL at the destination (schema_evolution.nullability_change: fail)`,
        );
      } else actions.push({ column: field.name, change: 'nullability_change', action: 'allow', dropNotNull: true });
    }
  }
  for (const target of targetColumns) {
    if (fieldNames.has(target.name)) continue;
    if (policy.removedColumn === 'fail') {
      refuse(
        target.name,
        'removed_column',
        `column ${JSON.stringify(target.name)} is no longer sent by the source (schema_evolution.removed_column: fail)`,
      );
    } else
      actions.push({
        column: target.name,
        change: 'removed_column',
        action: 'ignore',
        ...(!target.nullable && !target.inKey && { dropNotNull: true }),
      });
  }
  return { actions, errors, skipFields };
}

/**
 * Same Postgres type: `format_type` text on both sides; enums, composite types and arrays of them
 * by unqualified (element) name (the destination recreates them in its schema, where `format_type`
 * qualifies them).
 */
export function sameType(source: FrameColumn, target: PgColumn): boolean {
  const enumArray = (category: string, labels: readonly string[] | undefined): boolean =>
    category === 'A' && (labels?.length ?? 0) > 0;
  if (source.category === 'E' || target.typeCategory === 'E') {
    return (
      source.category === target.typeCategory &&
      unqualifiedTypeName(source.typeName) === unqualifiedTypeName(target.typeName)
    );
  }
  if (enumArray(source.category, source.enumLabels) || enumArray(target.typeCategory, target.enumLabels)) {
    const element = (typeName: string): string => unqualifiedTypeName(arrayElementTypeName(typeName) ?? typeName);
    return source.category === target.typeCategory && element(source.typeName) === element(target.typeName);
  }
  if (source.typeName.trim() === target.typeName.trim()) return true;
  if (source.category === 'C' && target.typeCategory === 'C')
    return unqualifiedTypeName(source.typeName) === unqualifiedTypeName(target.typeName);
  if (source.category === 'A' && target.typeCategory === 'A') {
    const element = (typeName: string): string | undefined => arrayElementTypeName(typeName);
    const a = element(source.typeName);
    const b = element(target.typeName);
    return a !== undefined && b !== undefined && unqualifiedTypeName(a) === unqualifiedTypeName(b);
  }
  return false;
}

/** Whether two frame schemas describe the same columns (names, types, nullability, source types): no evolution needed between them. */
export function sameFields(a: readonly FrameField[], b: readonly FrameField[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => {
      const g = b[i];
      return (
        g !== undefined &&
        f.name === g.name &&
        String(f.type) === String(g.type) &&
        f.nullable === g.nullable &&
        f.metadata?.[PG_METADATA_KEYS.type] === g.metadata?.[PG_METADATA_KEYS.type]
      );
    })
  );
}

/** What the destination does when the source gains a column. */
export const NEW_COLUMN_POLICIES = ['add', 'ignore', 'fail'] as const;
export type NewColumnPolicy = (typeof NEW_COLUMN_POLICIES)[number];

/** What the destination does when a column disappears from the source. */
export const REMOVED_COLUMN_POLICIES = ['ignore', 'fail'] as const;
export type RemovedColumnPolicy = (typeof REMOVED_COLUMN_POLICIES)[number];

/** What the destination does when a column changes type at the source. */
export const TYPE_CHANGE_POLICIES = ['coerce', 'null', 'fail'] as const;
export type TypeChangePolicy = (typeof TYPE_CHANGE_POLICIES)[number];

/** What the destination does when a column changes nullability at the source. */
export const NULLABILITY_CHANGE_POLICIES = ['allow', 'fail'] as const;
export type NullabilityChangePolicy = (typeof NULLABILITY_CHANGE_POLICIES)[number];

/** Destination policy for source schema drift (`destination.schema_evolution`). */
export interface SchemaEvolution {
  readonly newColumn: NewColumnPolicy;
  readonly removedColumn: RemovedColumnPolicy;
  readonly typeChange: TypeChangePolicy;
  readonly nullabilityChange: NullabilityChangePolicy;
}

/** Applied for every key `schema_evolution` leaves out. */
export const DEFAULT_SCHEMA_EVOLUTION: SchemaEvolution = Object.freeze({
  newColumn: 'add',
  removedColumn: 'ignore',
  typeChange: 'fail',
  nullabilityChange: 'allow',
});

/** A `schema_evolution` block as written (snake_case keys, each optional). */
export interface RawSchemaEvolution {
  readonly new_column?: NewColumnPolicy;
  readonly removed_column?: RemovedColumnPolicy;
  /** YAML reads `type_change: null` as null: the policy 'null'. */
  readonly type_change?: TypeChangePolicy | null;
  readonly nullability_change?: NullabilityChangePolicy;
}

/** The keys `raw` sets over `base` (the destination's policy under a stream's, the defaults under the destination's). */
export function mergeSchemaEvolution(base: SchemaEvolution, raw: RawSchemaEvolution | undefined): SchemaEvolution {
  return {
    newColumn: raw?.new_column ?? base.newColumn,
    removedColumn: raw?.removed_column ?? base.removedColumn,
    typeChange: raw?.type_change === null ? 'null' : (raw?.type_change ?? base.typeChange),
    nullabilityChange: raw?.nullability_change ?? base.nullabilityChange,
  };
}

/** Whether `policy` is add / ignore / fail / allow. */
export function isDefaultSchemaEvolution(policy: SchemaEvolution): boolean {
  return (Object.keys(DEFAULT_SCHEMA_EVOLUTION) as (keyof SchemaEvolution)[]).every(
    (k) => policy[k] === DEFAULT_SCHEMA_EVOLUTION[k],
  );
}

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

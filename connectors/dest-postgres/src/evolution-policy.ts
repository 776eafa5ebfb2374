import type { StreamContext } from '@rapidbyte/sdk';

/** The four ways a source schema can drift from the destination table. */
export const SCHEMA_CHANGE_KINDS = ['new_column', 'removed_column', 'type_change', 'nullability_change'] as const;
export type SchemaChangeKind = (typeof SCHEMA_CHANGE_KINDS)[number];

/** What the destination did about a change (a `fail` policy is an error, never an action). */
export const EVOLUTION_ACTIONS = ['add', 'ignore', 'coerce', 'null', 'allow'] as const;
export type EvolutionActionName = (typeof EVOLUTION_ACTIONS)[number];

/** `schema_evolution` as the session context carries it (the stream's keys over the destination's). */
export type EvolutionPolicy = NonNullable<StreamContext['schemaEvolution']>;

/** The policy when the context carries none: add / ignore / fail / allow. */
export const DEFAULT_EVOLUTION_POLICY: EvolutionPolicy = Object.freeze({
  newColumn: 'add',
  removedColumn: 'ignore',
  typeChange: 'fail',
  nullabilityChange: 'allow',
});

/** The stream's effective policy. */
export function evolutionPolicy(stream: StreamContext): EvolutionPolicy {
  return stream.schemaEvolution ?? DEFAULT_EVOLUTION_POLICY;
}

/**
 * One change the destination applied, as the write session's result lists it. `rows`: for
 * `type_change: null`, the rows written with NULL in that column.
 */
export interface SchemaChange {
  readonly column: string;
  readonly change: SchemaChangeKind;
  readonly action: EvolutionActionName;
  /** Destination type before the change (type_change). */
  readonly from?: string;
  /** Source type (new_column, type_change). */
  readonly to?: string;
  readonly rows?: number;
}

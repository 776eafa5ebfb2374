import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/** What an index is worth as a replica identity (PUBLISHED_RELATIONS_SQL). */
export type IndexState = 'none' | 'invalid' | 'deferrable' | 'ok';

/** One relation a publication of the stream's table includes: the table, or one of its partitions. */
export interface PublishedRelation {
  readonly schema: string;
  readonly name: string;
  /** `pg_class.relkind`. */
  readonly relkind: string;
  /** `pg_class.relpersistence`: `p` permanent, `u` unlogged, `t` temporary. */
  readonly persistence: string;
  /** `pg_class.relreplident`: `d` default (primary key), `f` full, `i` index, `n` nothing. */
  readonly replicaIdentity: string;
  readonly primaryKey: IndexState;
  readonly identityIndex: IndexState;
}

/** Why a table cannot be streamed with CDC, and the fix: a permanent error's code and message. */
export interface CdcRefusal {
  readonly code: 'CDC_NOT_A_TABLE' | 'CDC_UNLOGGED_TABLE' | 'NO_REPLICA_IDENTITY';
  readonly message: string;
}

const NOT_TABLES: Readonly<Record<string, string>> = {
  v: 'a view',
  m: 'a materialized view',
  f: 'a foreign table',
  S: 'a sequence',
  c: 'a composite type',
};

/**
 * Refuses what logical replication cannot publish (views and other non-tables, unlogged and
 * temporary tables) and what publishing would break: a relation whose UPDATE/DELETE PostgreSQL
 * rejects once it is in a publication, because it has no usable replica identity — no primary key,
 * a DEFERRABLE one (PostgreSQL never uses a deferrable key as the identity), REPLICA IDENTITY
 * NOTHING, or a replica identity index that was dropped or is invalid. `relations[0]` is the
 * stream's table; the others are its partitions, which are checked as well.
 */
export function cdcTableRefusal(stream: string, relations: readonly PublishedRelation[]): CdcRefusal | undefined {
  const root = relations[0];
  if (!root) return undefined;
  const table = quoteQualified(root.schema, root.name);
  const what = NOT_TABLES[root.relkind];
  if (what !== undefined || (root.relkind !== 'r' && root.relkind !== 'p')) {
    return {
      code: 'CDC_NOT_A_TABLE',
      message:
        `${stream}: ${table} is ${what ?? `a relation of kind ${root.relkind}`}; logical replication publishes only tables, so it cannot be read with sync_mode cdc. ` +
        `Use sync_mode full_refresh or incremental (with a cursor_field) for it, or stream the tables behind it with cdc.`,
    };
  }
  for (const relation of relations) {
    const name = quoteQualified(relation.schema, relation.name);
    const which = relation === root ? `table ${name}` : `partition ${name} of ${table}`;
    if (relation.persistence !== 'p') {
      const kind = relation.persistence === 't' ? 'temporary' : 'unlogged';
      return {
        code: 'CDC_UNLOGGED_TABLE',
        message:
          `${stream}: ${which} is ${kind}: its changes are not written to the WAL, so logical replication cannot publish it. ` +
          (kind === 'unlogged'
            ? `Make it logged (ALTER TABLE ${name} SET LOGGED;) or read it with sync_mode full_refresh or incremental.`
            : 'Read a permanent table instead.'),
      };
    }
    const problem = identityProblem(relation);
    if (problem !== undefined) {
      return {
        code: 'NO_REPLICA_IDENTITY',
        message:
          `${stream}: ${which} ${problem}; publishing it would make the application's own UPDATE and DELETE on it fail. ` +
          `Fix it first: ALTER TABLE ${name} REPLICA IDENTITY FULL;${relation.replicaIdentity === 'd' && relation.primaryKey === 'deferrable' ? ' (or re-create the primary key NOT DEFERRABLE)' : ' (or add a primary key)'}`,
      };
    }
  }
  return undefined;
}

/**
 * A table the publication already includes (by an earlier version that published inheritance
 * parents with their children, or by hand) whose UPDATE/DELETE fail now for want of a replica
 * identity: what is wrong and both fixes. `relations` as for cdcTableRefusal.
 */
export function publishedMemberProblem(
  publication: string,
  relations: readonly PublishedRelation[],
): string | undefined {
  const root = relations[0];
  if (!root) return undefined;
  for (const relation of relations) {
    const problem = relation.persistence === 'p' ? identityProblem(relation) : undefined;
    if (problem === undefined) continue;
    const name = quoteQualified(relation.schema, relation.name);
    const which =
      relation === root ? `table ${name}` : `partition ${name} of ${quoteQualified(root.schema, root.name)}`;
    return (
      `publication ${quoteIdent(publication)} includes ${which}, which ${problem}: the application's own UPDATE and DELETE on it fail now. ` +
      `Fix it: ALTER TABLE ${name} REPLICA IDENTITY FULL; or, when no stream reads it, ALTER PUBLICATION ${quoteIdent(publication)} DROP TABLE ONLY ${quoteQualified(root.schema, root.name)};`
    );
  }
  return undefined;
}

/** What makes the relation's replica identity unusable, or undefined when it is usable. */
function identityProblem(relation: PublishedRelation): string | undefined {
  switch (relation.replicaIdentity) {
    case 'f':
      return undefined;
    case 'n':
      return 'has REPLICA IDENTITY NOTHING';
    case 'i':
      if (relation.identityIndex === 'ok') return undefined;
      if (relation.identityIndex === 'none') return 'has REPLICA IDENTITY USING INDEX, but that index no longer exists';
      if (relation.identityIndex === 'deferrable')
        return 'has a DEFERRABLE replica identity index, which PostgreSQL does not use as a replica identity';
      return 'has an invalid replica identity index (REINDEX it)';
    default:
      if (relation.primaryKey === 'ok') return undefined;
      if (relation.primaryKey === 'none') return 'has no primary key and no usable replica identity';
      if (relation.primaryKey === 'deferrable')
        return 'has only a DEFERRABLE primary key, which PostgreSQL does not use as a replica identity';
      return 'has an invalid primary key index (REINDEX it), so no usable replica identity';
  }
}

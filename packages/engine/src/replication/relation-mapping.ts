import type { PgColumn } from '../codecs/index.js';
import type { RelationMessage } from './pgoutput-types.js';
import { relationColumn } from './relation-column.js';
import { ReplicationError } from './replication-error.js';

/** A stream column as the mapping needs it: name and the type OID pgoutput announces for it. */
export interface MappedColumn {
  readonly name: string;
  readonly typeOid: number;
  /** `atttypid` when it differs from `typeOid` (a domain: `typeOid` is its base type). */
  readonly attTypeOid?: number;
}

/**
 * For each column of a relation message, the index of the stream column it feeds, or −1 for a
 * column the stream deliberately does not read.
 */
export type RelationMapping = readonly number[];

/** A stream column with the OID pgoutput announces for it (see {@link MappedColumn}). */
export type StreamColumn = PgColumn & { readonly attTypeOid?: number };

/** What a Relation message does to a CDC stream's columns: the mapping, and the new columns when they changed. */
export interface RelationPlan {
  readonly mapping: RelationMapping;
  /** The stream's columns from now on (kept ones in place, retyped ones replaced, added ones last); undefined: unchanged. */
  readonly columns: readonly StreamColumn[] | undefined;
}

/**
 * Schema evolution on a CDC stream: maps a relation's columns to the stream's by name and, when
 * the table changed shape, gives the stream's new columns — a dropped column leaves, a retyped
 * one takes its new builtin type, an added one is appended (ignored when `projected`: the stream
 * reads a fixed column list). The destination decides what each change means
 * (`schema_evolution`). A new type this cannot name (user-defined types, rare builtins) is a
 * permanent `CDC_SCHEMA_CHANGED` asking for a re-snapshot.
 */
export function planRelation(
  stream: string,
  columns: readonly StreamColumn[],
  ignore: ReadonlySet<string>,
  projected: boolean,
  relation: RelationMessage,
): RelationPlan {
  const byName = new Map(columns.map((c, i) => [c.name, i]));
  const kept: (StreamColumn | undefined)[] = columns.map(() => undefined);
  const added: StreamColumn[] = [];
  const unnamed: string[] = [];
  let changed = false;
  const slot: { kind: 'kept' | 'added' | 'ignored'; index: number }[] = relation.columns.map((rc) => {
    const i = byName.get(rc.name);
    if (i === undefined) {
      if (ignore.has(rc.name) || projected) return { kind: 'ignored', index: -1 };
      const column = relationColumn(rc);
      if (!column) {
        unnamed.push(`added column "${rc.name}" (type oid ${rc.typeOid})`);
        return { kind: 'ignored', index: -1 };
      }
      changed = true;
      added.push(column);
      return { kind: 'added', index: added.length - 1 };
    }
    const c = columns[i] as StreamColumn;
    if (rc.typeOid === (c.attTypeOid ?? c.typeOid)) {
      kept[i] = c;
      return { kind: 'kept', index: i };
    }
    const retyped = relationColumn(rc);
    if (!retyped) unnamed.push(`column "${rc.name}" changed to type oid ${rc.typeOid}`);
    else changed = true;
    kept[i] = retyped ?? c;
    return { kind: 'kept', index: i };
  });
  if (unnamed.length > 0) {
    throw new ReplicationError(
      'CDC_SCHEMA_CHANGED',
      `${stream}: the source table changed shape in a way the stream cannot follow (${unnamed.join('; ')}: only builtin types are evolved); ` +
        `re-snapshot the stream (\`rapidbyte state reset <pipeline.yaml> --stream ${stream}\`) after adapting the destination`,
      { stream, column: /"([^"]+)"/.exec(unnamed[0] ?? '')?.[1] },
    );
  }
  if (kept.some((c) => c === undefined)) changed = true; // a stream column the relation no longer has
  if (!changed) return { mapping: slot.map((s) => s.index), columns: undefined };
  const survivors: StreamColumn[] = [];
  const newIndex = new Map<number, number>();
  kept.forEach((c, i) => {
    if (c === undefined) return;
    newIndex.set(i, survivors.length);
    survivors.push(c);
  });
  const next = [...survivors, ...added];
  const mapping = slot.map((s) =>
    s.kind === 'kept' ? (newIndex.get(s.index) as number) : s.kind === 'added' ? survivors.length + s.index : -1,
  );
  return { mapping, columns: next };
}

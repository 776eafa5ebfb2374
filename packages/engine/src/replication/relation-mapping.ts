import type { RelationMessage } from './pgoutput-types.js';
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

/**
 * Maps a relation's columns to the stream's columns by name. Throws CDC_SCHEMA_CHANGED listing
 * every added column (not a stream column and not ignored), dropped column (a stream column the
 * relation lacks) and retyped column (type OID differs).
 */
export function mapRelation(
  stream: string,
  columns: readonly MappedColumn[],
  ignore: ReadonlySet<string>,
  relation: RelationMessage,
): RelationMapping {
  const byName = new Map(columns.map((c, i) => [c.name, i]));
  const seen = new Set<number>();
  const problems: string[] = [];
  let first: string | undefined;
  const note = (column: string, text: string) => {
    first ??= column;
    problems.push(text);
  };
  const mapping = relation.columns.map((rc) => {
    const i = byName.get(rc.name);
    if (i === undefined) {
      if (!ignore.has(rc.name)) note(rc.name, `added column "${rc.name}" (type oid ${rc.typeOid})`);
      return -1;
    }
    seen.add(i);
    const c = columns[i] as MappedColumn;
    const expected = c.attTypeOid ?? c.typeOid;
    if (rc.typeOid !== expected) note(rc.name, `column "${rc.name}" changed type (oid ${expected} → ${rc.typeOid})`);
    return i;
  });
  columns.forEach((c, i) => {
    if (!seen.has(i)) note(c.name, `dropped column "${c.name}"`);
  });
  if (problems.length > 0) {
    throw new ReplicationError(
      'CDC_SCHEMA_CHANGED',
      `${stream}: the source table changed shape (${problems.join('; ')}); schema evolution for CDC is not supported yet — ` +
        `re-snapshot the stream (\`rapidbyte state reset <pipeline.yaml> --stream ${stream}\`) after adapting the destination`,
      { stream, column: first },
    );
  }
  return mapping;
}

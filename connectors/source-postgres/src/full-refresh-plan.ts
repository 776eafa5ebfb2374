import type { ResumePoint, StreamContext } from '@rapidbyte/sdk';
import type { KeyColumn } from './key-columns.js';
import { sameNames, type ReadKey } from './read-key.js';

/** How a full refresh reads: one COPY, or key-range chunks with a checkpoint after each. */
export interface FullRefreshPlan {
  /** Chunk by key (append/upsert with a NOT NULL key); false: one COPY. */
  readonly chunked: boolean;
  /** The chunk key (empty when not chunked). */
  readonly key: readonly KeyColumn[];
  /** Resume after this key tuple (an unfinished pass with the same key). */
  readonly after?: readonly string[];
  /** Rows the resumed pass had already committed. */
  readonly rowsBefore: number;
  readonly warnings: readonly string[];
}

/**
 * `replace` or no usable key: one COPY (a replace starts over anyway). Otherwise chunks ordered by
 * the key, resuming after `resume.pkAfter` when the resume point is an unfinished full refresh
 * over the same key.
 */
export function planFullRefresh(
  writeMode: StreamContext['writeMode'],
  readKey: ReadKey,
  resume: ResumePoint | null | undefined,
): FullRefreshPlan {
  const warnings = [...readKey.warnings];
  const single = (why?: string): FullRefreshPlan => {
    if (why) warnings.push(why);
    return { chunked: false, key: [], rowsBefore: 0, warnings };
  };
  if (writeMode === 'replace') return single();
  if (readKey.columns.length === 0) return single('no primary key: read in one pass, a retry starts over');
  if (!readKey.notNull) return single('a primary_key column is nullable: read in one pass, a retry starts over');
  const names = readKey.columns.map((k) => k.name);
  if (resume?.mode !== 'full_refresh' || resume.complete || !resume.pkAfter) {
    return { chunked: true, key: readKey.columns, rowsBefore: 0, warnings };
  }
  const sameKey =
    (resume.primaryKey === undefined || sameNames(resume.primaryKey, names)) && resume.pkAfter.length === names.length;
  if (!sameKey) {
    warnings.push(`the last unfinished pass was keyed by (${(resume.primaryKey ?? []).join(', ')}); starting over`);
    return { chunked: true, key: readKey.columns, rowsBefore: 0, warnings };
  }
  return { chunked: true, key: readKey.columns, after: resume.pkAfter, rowsBefore: resume.rows ?? 0, warnings };
}

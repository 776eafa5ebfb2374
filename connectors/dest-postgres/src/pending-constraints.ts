import { quoteIdent } from '@rapidbyte/sdk/postgres';
import type { DeferredIndex } from './deferred-indexes.js';

/**
 * How a table an `append` (or COPY-only `upsert`) run created carries the key it is still to get:
 * its table comment, this prefix and the key constraints as JSON. It lives in the table itself,
 * so it commits with the table and survives a killed run: whichever run writes the table next
 * builds the key (append at its end, upsert before its first merge, replace on its staging table).
 */
export const PENDING_KEY_PREFIX = 'rapidbyte: primary key pending, built when the first load ends: ';

/** A constraint (primary key) of a table the run created, taken off for the first load. */
export interface PendingConstraint {
  readonly name: string;
  readonly definition: string;
  readonly columns: string;
  readonly kind: string;
}

/** The pending constraints as indexes to build on `qualified` (the table itself, or a staging copy of it). */
export function pendingAsDeferred(pending: readonly PendingConstraint[], qualified: string): DeferredIndex[] {
  return pending.map((c) => ({
    build: `ALTER TABLE ${qualified} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`,
    comments: [],
    columns: c.columns,
    kind: c.kind,
  }));
}

/** The constraints a table comment says are owed (`PENDING_KEY_PREFIX` + JSON), or none. */
export function pendingFromComment(comment: string | undefined): PendingConstraint[] {
  if (comment === undefined || !comment.startsWith(PENDING_KEY_PREFIX)) return [];
  try {
    const parsed = JSON.parse(comment.slice(PENDING_KEY_PREFIX.length)) as unknown;
    return Array.isArray(parsed)
      ? (parsed as PendingConstraint[]).filter((c) => typeof c.name === 'string' && typeof c.definition === 'string')
      : [];
  } catch {
    return [];
  }
}

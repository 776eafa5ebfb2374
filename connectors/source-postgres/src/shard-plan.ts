import { ConnectorError } from '@rapidbyte/sdk/postgres';
import type { PgColumn, ResumePoint, StreamShard } from '@rapidbyte/sdk';
import type { KeyColumn } from './key-columns.js';
import type { FullRefreshPlan } from './full-refresh-plan.js';
import { sameNames } from './read-key.js';

/** What `pg_export_snapshot()` returns (`00000003-0000001B-1`); checked before it goes into SQL. */
const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i;

/** `SET TRANSACTION SNAPSHOT '…'`: the first statement of a shard's REPEATABLE READ transaction. */
export function setSnapshotStatement(stream: string, snapshot: string): string {
  if (!SNAPSHOT_ID.test(snapshot)) {
    throw ConnectorError.permanent(
      'SHARD_SNAPSHOT_INVALID',
      `${stream}: ${JSON.stringify(snapshot)} is not a snapshot id (expected what pg_export_snapshot() returns)`,
      { stream },
    );
  }
  return `SET TRANSACTION SNAPSHOT '${snapshot}'`;
}

/** A shard's full-refresh plan plus the inclusive upper bound of its range. */
export interface ShardReadPlan extends FullRefreshPlan {
  readonly limit?: readonly string[];
  /** The shard already finished this pass (its resume point is `complete` with the same pass). */
  readonly done?: boolean;
}

/**
 * How one shard reads: key-range chunks over `shard.key` from `(lower, upper]`, resuming after the
 * resume point's `pkAfter` when it belongs to the same pass (the engine keeps the shard's bounds
 * until the whole sharded pass is complete, so the point lies inside the range); `done` when that
 * point says the shard finished the pass (a rerun after a kill that came after this shard's last
 * commit). Resume points of other passes are ignored: a new pass starts at `lower`.
 * A key column missing from the relation or nullable is a permanent `SHARD_KEY_INVALID`.
 */
export function planShard(
  stream: string,
  shard: StreamShard,
  columns: readonly PgColumn[],
  resume: ResumePoint | null | undefined,
): ShardReadPlan {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const key: KeyColumn[] = [];
  for (const name of shard.key) {
    const column = byName.get(name);
    if (!column)
      throw ConnectorError.permanent(
        'SHARD_KEY_INVALID',
        `${stream}: shard key column ${JSON.stringify(name)} does not exist`,
        { stream, column: name },
      );
    if (column.nullable)
      throw ConnectorError.permanent(
        'SHARD_KEY_INVALID',
        `${stream}: shard key column ${JSON.stringify(name)} is nullable`,
        { stream, column: name },
      );
    key.push({ name, type: column.typeName });
  }
  for (const bound of [shard.lower, shard.upper]) {
    if (bound && bound.length !== key.length) {
      throw ConnectorError.permanent(
        'SHARD_KEY_INVALID',
        `${stream}: shard bound (${bound.join(', ')}) has ${bound.length} values for a key of ${key.length}`,
        { stream },
      );
    }
  }
  const samePass =
    resume?.mode === 'full_refresh' && resume.pass === shard.pass && sameNames(resume.primaryKey, shard.key);
  const resumed = samePass && !resume.complete && resume.pkAfter !== undefined && resume.pkAfter.length === key.length;
  return {
    chunked: true,
    done: samePass && resume.complete === true,
    key,
    ...(resumed ? { after: resume.pkAfter } : shard.lower ? { after: shard.lower } : {}),
    ...(shard.upper ? { limit: shard.upper } : {}),
    rowsBefore: samePass ? (resume.rows ?? 0) : 0,
    warnings: [],
  };
}

import { compositeColumnsMetadata } from './composite-columns.js';
import { domainColumnsMetadata } from './domain-columns.js';
import {
  checkpoint,
  isCancelled,
  log,
  pg,
  type ResumePoint,
  type SessionContext,
  type Step,
  type StreamContext,
  type TransferSummary,
} from '@rapidbyte/sdk';
import { PRIMARY_KEY_METADATA, SOURCE_STREAM_METADATA } from '@rapidbyte/sdk/frames';
import { closeQuietly } from '@rapidbyte/sdk';
import { withStreamContext } from '@rapidbyte/sdk/postgres';
import { projectedPrimaryKey } from './column-projection.js';
import { copyOutStatement } from './copy-out-statement.js';
import { planFullRefresh } from './full-refresh-plan.js';
import { planShard, setSnapshotStatement, type ShardReadPlan } from './shard-plan.js';
import { keyChunkCopyStatement, keyChunkUpperQuery } from './key-range-sql.js';
import {
  DEFAULT_BATCH_ROWS,
  FIRST_CHUNK_ROWS,
  checkpointChunkRows,
  copyChunk,
  openReadSnapshot,
  positiveInt,
  projectOrThrow,
  type CopyTarget,
} from './read-snapshot.js';
import { resolveReadKey } from './read-key.js';
import { describeRelation } from './relation-catalog.js';
import { planGeneratedColumns } from './generated-columns.js';
import type { SourceConfig } from './source-config.js';
import { parseStreamName } from '@rapidbyte/sdk/postgres';
import { inheritanceNote } from './stream-relation-sql.js';

/**
 * Reads a whole relation in one REPEATABLE READ snapshot. With append/upsert and a NOT NULL key
 * it reads key-range chunks of `checkpointIntervalRows` rows in key order, resuming after the
 * resume point's `pkAfter`, with a checkpoint after each chunk (the last one `complete: true`);
 * otherwise one COPY and a final `complete: true` checkpoint. Interrupted (`isCancelled()`), a
 * chunked read stops at the next chunk boundary, after that chunk's checkpoint and without a
 * `complete: true` one, so the engine drains and the next run resumes after the last chunk. A
 * shard (`stream.shard`) imports the engine's exported snapshot first and reads only its key
 * range `(lower, upper]`, in chunks, with its own checkpoints. The host runs each COPY BINARY and
 * decodes it into Arrow frames; this generator only passes frame handles downstream.
 */
export function* readFullRefresh(
  config: SourceConfig,
  context: SessionContext,
  stream: StreamContext,
): Step<TransferSummary> {
  const relationName = parseStreamName(stream.name);
  let conn: number | undefined;
  let doing = 'connect';
  try {
    conn = yield* openReadSnapshot(config, context);
    if (stream.shard) {
      // every shard reads the snapshot the engine exported: one point-in-time copy of the table
      doing = 'import the shared snapshot';
      yield* pg.query(conn, setSnapshotStatement(stream.name, stream.shard.snapshot));
    }
    doing = 'read catalog';
    const relation = yield* describeRelation(
      conn,
      stream.name,
      relationName.schema,
      relationName.table,
      config.row_security === true,
    );
    // generated columns the destination recreates are not read (see planGeneratedColumns)
    const generated = planGeneratedColumns(
      stream.name,
      projectOrThrow(stream, relation),
      relation.generated,
      [...relation.primaryKey, ...(stream.primaryKey ?? [])],
      false,
    );
    const columns = generated.columns;
    const from = { ...relationName, relkind: relation.relkind };
    const inherited = inheritanceNote(stream.name, relation.inheritanceChildren);
    if (inherited) log.info(inherited);
    const primaryKey = projectedPrimaryKey(relation.primaryKey, columns);
    if (primaryKey.length === 0 && relation.primaryKey.length > 0) {
      log.warn(`${stream.name}: the column list leaves out part of the primary key; frames carry no key`);
    }
    const target: CopyTarget = {
      columns,
      batchRows: positiveInt(context.resources?.batchRows, DEFAULT_BATCH_ROWS),
      metadata: [
        [PRIMARY_KEY_METADATA, JSON.stringify(primaryKey)],
        [SOURCE_STREAM_METADATA, stream.name],
        ...generated.metadata,
        ...domainColumnsMetadata(relation.domains, columns),
        ...compositeColumnsMetadata(relation.composites, columns),
      ],
    };
    const plan: ShardReadPlan = stream.shard
      ? planShard(stream.name, stream.shard, relation.columns, context.resume)
      : planFullRefresh(
          stream.writeMode,
          resolveReadKey(relation.columns, relation.primaryKey, stream.primaryKey),
          context.resume,
        );
    const shown = stream.shard ? `${stream.name} (shard ${stream.shard.index + 1}/${stream.shard.count})` : stream.name;
    for (const warning of plan.warnings) log.warn(`${shown}: ${warning}`);
    const keyNames = plan.key.map((k) => k.name);
    let rows = 0;
    let frameCount = 0;
    let chunks = 0;
    const pass = stream.shard ? { pass: stream.shard.pass } : {};
    if (plan.done) {
      log.info(`${shown}: finished in an earlier run of this sharded pass`);
      checkpoint('resume', {
        mode: 'full_refresh',
        complete: true,
        primaryKey: keyNames,
        rows: plan.rowsBefore,
        ...pass,
      } satisfies ResumePoint);
    } else if (!plan.chunked) {
      doing = 'copy out';
      const done = yield* copyChunk(conn, copyOutStatement(from, columns), target);
      rows = done.rows;
      frameCount = done.frames;
      chunks = 1;
      checkpoint('resume', { mode: 'full_refresh', complete: true, rows } satisfies ResumePoint);
    } else {
      const chunkRows = yield* checkpointChunkRows(conn, relation.oid, context);
      if (plan.after && plan.rowsBefore > 0)
        log.info(`${shown}: resuming the full refresh after key (${plan.after.join(', ')})`);
      let after = plan.after;
      for (;;) {
        doing = 'find chunk bound';
        // the first chunk's bound query is the only one nothing overlaps (the OFFSET walks the
        // index: ~0.15 s per 500k rows), so it stays short and the first rows leave sooner
        const bound = keyChunkUpperQuery(
          from,
          plan.key,
          after,
          chunks === 0 ? Math.min(chunkRows, FIRST_CHUNK_ROWS) : chunkRows,
          plan.limit,
        );
        const found = (yield* pg.query(conn, bound.sql, [...bound.params])).rows[0];
        const upper = found ? found.map((v) => v ?? '') : undefined;
        doing = 'copy out';
        const done = yield* copyChunk(
          conn,
          keyChunkCopyStatement(from, columns, plan.key, after, upper ?? plan.limit),
          target,
        );
        rows += done.rows;
        frameCount += done.frames;
        chunks += 1;
        const total = plan.rowsBefore + rows;
        if (!upper) {
          checkpoint('resume', {
            mode: 'full_refresh',
            complete: true,
            primaryKey: keyNames,
            rows: total,
            ...pass,
          } satisfies ResumePoint);
          break;
        }
        checkpoint('resume', {
          mode: 'full_refresh',
          pkAfter: upper,
          primaryKey: keyNames,
          rows: total,
          ...pass,
        } satisfies ResumePoint);
        after = upper;
        if (isCancelled()) {
          log.info(
            `${shown}: interrupted: stopped after chunk ${chunks} at key (${upper.join(', ')}), ${total} rows; the next run resumes there`,
          );
          break;
        }
      }
    }
    doing = 'commit';
    yield* pg.query(conn, 'COMMIT');
    yield* pg.close(conn);
    conn = undefined;
    log.info(
      `${shown}: read ${rows} rows in ${frameCount} frames, ${chunks} chunk(s) (${columns.length} columns, full refresh)`,
    );
    return { rows, frames: frameCount };
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, stream.name, doing);
  }
}

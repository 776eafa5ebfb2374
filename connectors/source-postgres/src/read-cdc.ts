import { compositeColumnsMetadata } from './composite-columns.js';
import { domainColumnsMetadata } from './domain-columns.js';
import {
  ConnectorError,
  checkpoint,
  closeQuietly,
  frames,
  log,
  openConnection,
  pg,
  type ResumePoint,
  type SessionContext,
  type Step,
  type StreamContext,
  type TransferSummary,
} from '@rapidbyte/sdk';
import {
  CDC_PHASE_METADATA,
  PRIMARY_KEY_METADATA,
  PROJECTED_METADATA,
  SOURCE_STREAM_METADATA,
} from '@rapidbyte/sdk/frames';
import {
  parseConnectionConfig,
  parseStreamName,
  quoteLiteral,
  quoteQualified,
  withStreamContext,
} from '@rapidbyte/sdk/postgres';
import { cdcNames, SLOT_NAME_PATTERN } from './cdc-names.js';
import { ATTRIBUTE_TYPES_SQL } from './cdc-preflight-sql.js';
import { checkCdcTable, serverPreflight } from './cdc-preflight.js';
import { cdcSnapshotCopy } from './cdc-snapshot-copy.js';
import { changeLogClash } from './change-log-clash.js';
import {
  COLUMN_IDENTITY_SQL,
  columnCatalogFromRows,
  columnHistory,
  storedColumns,
  type StoredColumns,
} from './column-identity.js';
import { ensurePublished } from './ensure-publication.js';
import { DEFAULT_BATCH_ROWS, copyChunk, positiveInt, projectOrThrow } from './read-snapshot.js';
import { describeRelation } from './relation-catalog.js';
import { refuseDomainOverOidAlias } from './oid-alias-cdc.js';
import { refuseTextOnlyArraysInCdc } from './text-only-columns.js';
import { planGeneratedColumns } from './generated-columns.js';
import { sessionSettingsSql } from './session-settings.js';
import type { SourceConfig } from './source-config.js';
import { inheritanceNote } from './stream-relation-sql.js';

/**
 * `sync_mode: cdc`. Preflight (wal_level, REPLICATION, free slots/senders, publication
 * ownership, the table's replica identity — refused before it is published), the table added to
 * the source's publication, then the stream attaches to the host's replication hub (one slot per
 * source). A stream without a committed LSN first copies the table in a snapshot exported at a
 * point of the slot (`checkpoint {lsn}` after it), then the host's change frames follow, with a
 * checkpoint after whole transactions. A one-shot run ends when the WAL position of its start is
 * reached; `--follow` when interrupted.
 */
export function* readCdc(config: SourceConfig, context: SessionContext, stream: StreamContext): Step<TransferSummary> {
  const { schema, table } = parseStreamName(stream.name);
  const names = cdcNames(config.cdc, context.pipeline);
  if (!SLOT_NAME_PATTERN.test(names.slot)) {
    throw ConnectorError.permanent(
      'CONFIG_INVALID',
      `config.cdc.slot_name: ${JSON.stringify(names.slot)} is not a valid slot name; expected 1-63 characters of [a-z0-9_]`,
      { stream: stream.name },
    );
  }
  if (stream.writeMode !== 'upsert' && stream.writeMode !== 'append') {
    throw ConnectorError.permanent(
      'CONFIG_INVALID',
      `${stream.name}: sync_mode cdc writes with write_mode upsert (apply changes) or append (a change log), not ${stream.writeMode}`,
      { stream: stream.name },
    );
  }
  let conn: number | undefined;
  let doing = 'connect';
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline}`);
    yield* pg.query(conn, sessionSettingsSql(config.row_security === true));
    doing = 'preflight';
    const resume = context.resume;
    const startLsn = resume?.mode === 'cdc' && typeof resume.lsn === 'string' ? resume.lsn : undefined;
    const failed = (yield* serverPreflight(conn, { ...names, snapshot: startLsn === undefined })).find((i) => !i.ok);
    if (failed)
      throw ConnectorError.permanent(failed.code ?? 'PREFLIGHT_FAILED', `${stream.name}: ${failed.message}`, {
        stream: stream.name,
      });
    const relation = yield* describeRelation(conn, stream.name, schema, table, config.row_security === true);
    const followed = startLsn !== undefined ? (resume as { relation?: unknown }).relation : undefined;
    if (typeof followed === 'string' && followed !== relation.oid) {
      // DROP + CREATE: the new table left the publication with the old one, so nothing it got since was published
      throw ConnectorError.permanent(
        'CDC_TABLE_RECREATED',
        `${stream.name}: ${quoteQualified(schema, table)} is not the table this stream followed: it was dropped and created again since the last commit ` +
          `(relation ${followed}, now ${relation.oid}). A new table is not in the publication, so the rows written to it since were never published, ` +
          `and rows of the old table may still be at the destination. Re-snapshot the stream: rapidbyte run <pipeline.yaml> --full-refresh --streams ${stream.name} ` +
          `(truncate the destination table first if the old table's rows must go)`,
        { stream: stream.name },
      );
    }
    const identity = yield* checkCdcTable(conn, stream.name, relation.oid);
    const inherited = inheritanceNote(stream.name, relation.inheritanceChildren);
    if (inherited) log.info(inherited);
    const key = stream.primaryKey && stream.primaryKey.length > 0 ? [...stream.primaryKey] : [...relation.primaryKey];
    // pgoutput does not send generated columns: the destination computes them, or they are left out
    const generated = planGeneratedColumns(
      stream.name,
      projectOrThrow(stream, relation),
      relation.generated,
      key,
      true,
    );
    for (const warning of generated.warnings) log.warn(`${stream.name}: ${warning}`);
    const columns = generated.columns;
    const names2 = new Set(columns.map((c) => c.name));
    if (stream.writeMode === 'append') {
      const clash = changeLogClash(stream.name, columns);
      if (clash)
        throw ConnectorError.permanent('CDC_COLUMN_RESERVED', clash.message, {
          stream: stream.name,
          column: clash.columns[0],
        });
    }
    if (stream.writeMode === 'upsert') {
      if (key.length === 0)
        throw ConnectorError.permanent(
          'PRIMARY_KEY_REQUIRED',
          `${stream.name}: cdc × upsert needs a key; the table has no primary key, so set primary_key on the stream`,
          { stream: stream.name },
        );
      const missing = key.find((k) => !names2.has(k));
      if (missing)
        throw ConnectorError.permanent(
          'COLUMN_NOT_FOUND',
          `${stream.name}: key column ${JSON.stringify(missing)} is not among the stream's columns`,
          { stream: stream.name, column: missing },
        );
      const outside = identity.kind === 'f' ? undefined : key.find((k) => !identity.columns.includes(k));
      if (outside) {
        throw ConnectorError.permanent(
          'CDC_KEY_NOT_IN_REPLICA_IDENTITY',
          `${stream.name}: key column ${JSON.stringify(outside)} is not part of the table's replica identity (${identity.columns.join(', ')}), so deletes would not carry it; use the primary key or ALTER TABLE ${quoteQualified(schema, table)} REPLICA IDENTITY FULL`,
          { stream: stream.name, column: outside },
        );
      }
    }
    const attTypes = new Map(
      (yield* pg.query(conn, ATTRIBUTE_TYPES_SQL, [relation.oid])).rows.map((r) => [r[0] ?? '', Number(r[1])]),
    );
    refuseDomainOverOidAlias(stream.name, columns, attTypes);
    refuseTextOnlyArraysInCdc(stream.name, relation.columns);
    doing = 'publish';
    yield* ensurePublished(conn, stream.name, names.publication, relation.oid, schema, table, relation.relkind === 'p');
    const parsed = parseConnectionConfig(config, `rapidbyte/${context.pipeline}/replication`);
    if (!parsed.ok) throw ConnectorError.permanent('CONFIG_INVALID', `config.${parsed.key}: ${parsed.message}`);
    const { ignoredParams: _ignored, ...connect } = parsed.value;
    // column identity (attnum) against the last committed checkpoint's: renames, and what earlier rows hold in added columns
    const catalog = columnCatalogFromRows((yield* pg.query(conn, COLUMN_IDENTITY_SQL, [relation.oid])).rows);
    const previous = startLsn !== undefined ? (resume as { columns?: StoredColumns }).columns : undefined;
    const history = columnHistory(columns, catalog, previous);
    for (const [neu, old] of history.renamed)
      log.info(
        `${stream.name}: column ${JSON.stringify(old)} was renamed to ${JSON.stringify(neu)} at the source; the destination follows`,
      );
    const batchRows = positiveInt(context.resources?.batchRows, DEFAULT_BATCH_ROWS);
    const baseMetadata: [string, string][] = [
      [PRIMARY_KEY_METADATA, JSON.stringify(key.length > 0 && key.every((k) => names2.has(k)) ? key : [])],
      [SOURCE_STREAM_METADATA, stream.name],
      ...generated.metadata,
      ...domainColumnsMetadata(relation.domains, columns),
      ...compositeColumnsMetadata(relation.composites, columns),
      ...history.metadata,
      // a stream with a column list follows only those columns when the table gains one
      ...(stream.columns !== undefined && stream.columns.length > 0
        ? [[PROJECTED_METADATA, 'true'] as [string, string]]
        : []),
    ];
    doing = 'attach to the replication stream';
    const handle = yield* pg.replicationOpen({
      connect,
      slot: names.slot,
      publication: names.publication,
      streamName: stream.name,
      schemaName: schema,
      tableName: table,
      columns,
      relationTypeOids: columns.map((c) => attTypes.get(c.name) ?? c.typeOid),
      ignoreColumns: relation.columns.filter((c) => !names2.has(c.name)).map((c) => c.name),
      key,
      coalesce: stream.writeMode === 'upsert',
      startLsn,
      batchRows,
      schemaMetadata: [...baseMetadata, history.engine],
      slotCreateTimeoutMs: config.cdc?.slot_create_timeout_ms,
    });
    let rows = 0;
    let frameCount = 0;
    if (startLsn === undefined) {
      doing = 'snapshot';
      const snap = yield* pg.replicationSnapshot(handle);
      try {
        yield* pg.query(conn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        yield* pg.query(conn, `SET TRANSACTION SNAPSHOT ${quoteLiteral(snap.name)}`);
      } finally {
        yield* pg.replicationSnapshotDone(handle);
      }
      const copy = cdcSnapshotCopy(
        schema,
        table,
        columns,
        stream.writeMode === 'append' ? snap.lsn : undefined,
        relation.relkind,
      );
      const done = yield* copyChunk(conn, copy.sql, {
        columns: copy.columns,
        batchRows,
        metadata: [...baseMetadata, [CDC_PHASE_METADATA, 'snapshot']],
      });
      yield* pg.query(conn, 'COMMIT');
      rows += done.rows;
      frameCount += done.frames;
      const snapshotColumns = storedColumns(
        history.identity,
        history.renamed,
        columns.map((c) => c.name),
      );
      checkpoint('resume', {
        mode: 'cdc',
        lsn: snap.lsn,
        snapshot: true,
        rows: done.rows,
        columns: snapshotColumns,
        relation: relation.oid,
      } satisfies ResumePoint & { snapshot: boolean; columns: StoredColumns; relation: string });
      log.info(`${stream.name}: snapshot of ${done.rows} rows at ${snap.lsn}`);
    } else {
      log.info(`${stream.name}: resuming changes after ${startLsn}`);
    }
    yield* closeQuietly(conn);
    conn = undefined;
    doing = 'stream changes';
    let changes = 0;
    for (;;) {
      const item = yield* pg.replicationNext(handle);
      if (item.kind === 'end') break;
      if (item.kind === 'frame') {
        changes += frames.rows(item.frame);
        // a renamed column keeps its old name in checkpoints until a frame carried the new one
        if (history.renamed.size > 0)
          storedColumns(
            history.identity,
            history.renamed,
            frames.schema(item.frame).fields.map((f) => f.name),
          );
        frames.emit(item.frame);
        frameCount += 1;
      } else {
        checkpoint('resume', {
          ...(JSON.parse(item.payload) as ResumePoint),
          columns: storedColumns(history.identity, history.renamed, undefined),
          relation: relation.oid,
        });
      }
    }
    rows += changes;
    log.info(`${stream.name}: ${changes} change rows in ${frameCount} frames`);
    return { rows, frames: frameCount };
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, stream.name, doing);
  }
}

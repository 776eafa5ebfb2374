export {
  REPLICATION_ERROR_CODES,
  ReplicationError,
  type ReplicationErrorCode,
  type ReplicationErrorDetails,
} from './replication-error.js';
export { parseLsn, formatLsn } from './lsn.js';
export { parseReplicationFrame, standbyStatusUpdate, pgClockNow, type ReplicationFrame } from './replication-frame.js';
export { parsePgOutput } from './pgoutput-message.js';
export { PGOUTPUT_TAGS, STREAMED_XID_TAGS } from './pgoutput-tags.js';
export {
  UNCHANGED,
  OLD_TUPLE_KINDS,
  type Unchanged,
  type TupleValue,
  type TupleData,
  type OldTupleKind,
  type OldTuple,
  type BeginMessage,
  type CommitMessage,
  type OriginMessage,
  type RelationColumn,
  type RelationMessage,
  type TypeMessage,
  type InsertMessage,
  type UpdateMessage,
  type DeleteMessage,
  type TruncateMessage,
  type LogicalMessage,
  type StreamStartMessage,
  type StreamStopMessage,
  type StreamCommitMessage,
  type StreamAbortMessage,
  type PgOutputMessage,
  type PgOutputTag,
} from './pgoutput-types.js';
export { CDC_EXTRA_COLUMNS, PG_LSN_OID, cdcExtraColumns, markChangeColumns } from './cdc-columns.js';
export {
  planRelation,
  type MappedColumn,
  type RelationMapping,
  type RelationPlan,
  type StreamColumn,
} from './relation-mapping.js';
export { relationColumn } from './relation-column.js';
export {
  ChangeBatchBuilder,
  CHANGE_BATCH_MODES,
  type ChangeBatchMode,
  type ChangeBatchOptions,
} from './change-batch-builder.js';
export {
  COLUMN_CATALOG_SQL,
  catalogColumnsFromRows,
  parseColumnIdentity,
  followShapeChange,
  type ColumnId,
  type CatalogColumn,
  type ExistingRowsFill,
  type ShapeChange,
} from './column-history.js';

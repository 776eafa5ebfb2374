import type { RecordBatch } from 'apache-arrow';
import { CopyBinaryDecoder, PG_OID, type PgColumn } from '../codecs/index.js';
import { CDC_PHASE_METADATA, PROJECTED_METADATA, type CdcChangeOp, type CdcPhase } from '@rapidbyte/sdk/contract';
import { cdcExtraColumns, markChangeColumns } from './cdc-columns.js';
import { ChangeRowArena, type ArenaRow, type ChangeSlot } from './change-row-arena.js';
import {
  UNCHANGED,
  type DeleteMessage,
  type InsertMessage,
  type RelationMessage,
  type TupleData,
  type UpdateMessage,
} from './pgoutput-types.js';
import { planRelation, type RelationMapping, type StreamColumn } from './relation-mapping.js';
import { ReplicationError } from './replication-error.js';

export const CHANGE_BATCH_MODES = ['upsert', 'append'] as const;
export type ChangeBatchMode = (typeof CHANGE_BATCH_MODES)[number];

/** What a {@link ChangeBatchBuilder} needs to know about its stream. */
export interface ChangeBatchOptions {
  /** Stream name for error messages, e.g. 'public.users'. */
  readonly stream: string;
  /** The stream's columns (already projected), in frame order; `attTypeOid` = the OID pgoutput announces when it differs (domains). */
  readonly columns: readonly (PgColumn & { readonly attTypeOid?: number })[];
  /** Key column names (a subset of `columns`); may be empty only in 'append'. */
  readonly key: readonly string[];
  /** upsert: each key at most once per frame, holding its final state; append: every change is a row. */
  readonly mode: ChangeBatchMode;
  readonly batchRows: number;
  readonly maxBatchBytes: number;
  /** Schema-level metadata added to every frame. */
  readonly metadata: readonly (readonly [string, string])[];
  /** Relation columns the stream deliberately does not read (a projection): skipped silently. */
  readonly ignoreColumns?: readonly string[];
}

/** A pending change row: where it is encoded, and which stream columns are still unknown (unchanged TOAST). */
interface PendingRow extends ArenaRow {
  op: CdcChangeOp;
  unchanged: readonly number[] | undefined;
}

/** Dead (replaced) bytes tolerated in the arena before it is compacted. */
const COMPACT_MIN_DEAD_BYTES = 1024 * 1024;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * Turns one stream's pgoutput changes into Arrow change frames: the stream's columns (typed exactly
 * like the COPY BINARY snapshot path, but nullable), then `_rb_op`, `_rb_lsn` and `_rb_unchanged`,
 * marked by role in their field metadata (`rapidbyte.cdc_column`) and renamed when the stream has
 * a column of that name (see `cdcExtraColumns`).
 * Rows are kept as COPY BINARY rows and decoded by the snapshot decoder at flush. In 'upsert' mode
 * the changes of one key within a frame coalesce into its final state (unchanged TOAST columns are
 * filled from the earlier state when known).
 */
export class ChangeBatchBuilder {
  readonly #o: ChangeBatchOptions;
  /** The stream's columns (they change when the table does: `relation`). */
  #streamColumns: readonly StreamColumn[];
  #columns: readonly PgColumn[];
  #names: readonly string[];
  #keyIndexes: readonly number[];
  readonly #projected: boolean;
  readonly #ignore: ReadonlySet<string>;
  readonly #metadata: Map<string, string>;
  readonly #mappings = new Map<number, RelationMapping>();
  readonly #byKey = new Map<string, PendingRow>();
  #arena = new ChangeRowArena();
  #rows: PendingRow[] = [];
  #liveBytes = 0;
  #deadBytes = 0;

  constructor(options: ChangeBatchOptions) {
    this.#o = options;
    this.#streamColumns = options.columns;
    this.#columns = options.columns.map(({ attTypeOid: _, ...c }) => ({ ...c, nullable: true }));
    this.#names = options.columns.map((c) => c.name);
    this.#keyIndexes = this.#keyIndexesOf(this.#names, 'CDC_BAD_OPTIONS');
    this.#projected = options.metadata.some(([k, v]) => k === PROJECTED_METADATA && v === 'true');
    if (options.mode === 'upsert' && this.#keyIndexes.length === 0) {
      throw new ReplicationError(
        'CDC_BAD_OPTIONS',
        `${options.stream}: coalescing changes (upsert) needs a key; the table has no primary key or replica identity`,
        { stream: options.stream },
      );
    }
    this.#ignore = new Set(options.ignoreColumns ?? []);
    this.#metadata = new Map(options.metadata.map(([k, v]) => [k, v]));
    this.#metadata.set(CDC_PHASE_METADATA, 'changes' satisfies CdcPhase);
  }

  /** Pending rows (after coalescing). */
  get rows(): number {
    return this.#rows.length;
  }

  /** Pending bytes (COPY BINARY size of the pending rows, after coalescing). */
  get bytes(): number {
    return this.#liveBytes;
  }

  get full(): boolean {
    return this.#rows.length >= this.#o.batchRows || this.#liveBytes >= this.#o.maxBatchBytes;
  }

  /**
   * Announces (or re-announces) a relation: maps its columns to the stream's by name. When the
   * table changed shape (a column added, dropped or retyped), returns the pending rows as a frame
   * of the old shape and continues with the new columns: frames never mix shapes, and the
   * destination evolves its table when a frame's schema changes. Throws CDC_SCHEMA_CHANGED for a
   * change it cannot follow (a key column dropped, a type it cannot name).
   */
  relation(msg: RelationMessage): RecordBatch | undefined {
    const plan = planRelation(this.#o.stream, this.#streamColumns, this.#ignore, this.#projected, msg);
    let flushed: RecordBatch | undefined;
    if (plan.columns !== undefined) {
      const names = plan.columns.map((c) => c.name);
      const keyIndexes = this.#keyIndexesOf(names, 'CDC_SCHEMA_CHANGED');
      flushed = this.flush();
      this.#streamColumns = plan.columns;
      this.#columns = plan.columns.map(({ attTypeOid: _, ...c }) => ({ ...c, nullable: true }));
      this.#names = names;
      this.#keyIndexes = keyIndexes;
      this.#mappings.clear();
    }
    this.#mappings.set(msg.relationId, plan.mapping);
    return flushed;
  }

  /** The stream's current columns. */
  get columns(): readonly PgColumn[] {
    return this.#columns;
  }

  /**
   * Merges `entries` into the JSON object held under schema metadata `key`, for the frames from
   * now on (the pending rows are in them too: call it right after `relation` flushed the old shape).
   */
  mergeMetadata(key: string, entries: Readonly<Record<string, unknown>>): void {
    if (Object.keys(entries).length === 0) return;
    let current: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(this.#metadata.get(key) ?? '{}') as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        current = parsed as Record<string, unknown>;
    } catch {
      // a malformed value is replaced
    }
    this.#metadata.set(key, JSON.stringify({ ...current, ...entries }));
  }

  #keyIndexesOf(names: readonly string[], code: 'CDC_BAD_OPTIONS' | 'CDC_SCHEMA_CHANGED'): number[] {
    return this.#o.key.map((k) => {
      const i = names.indexOf(k);
      if (i < 0) {
        const why =
          code === 'CDC_BAD_OPTIONS'
            ? "is not among the stream's columns"
            : 'was dropped from the source table; re-snapshot the stream with its new key';
        throw new ReplicationError(code, `${this.#o.stream}: key column "${k}" ${why}`, {
          stream: this.#o.stream,
          column: k,
        });
      }
      return i;
    });
  }

  insert(msg: InsertMessage, lsn: bigint): void {
    const slots = this.#slots(msg.relationId, msg.newTuple, 'Insert');
    if (this.#o.mode === 'append') this.#append(slots, 'I', lsn);
    else this.#put(this.#key(slots, 'Insert'), slots, 'I', lsn);
  }

  update(msg: UpdateMessage, lsn: bigint): void {
    const slots = this.#slots(msg.relationId, msg.newTuple, 'Update');
    const old = msg.old === undefined ? undefined : this.#slots(msg.relationId, msg.old.tuple, 'Update');
    if (old !== undefined && msg.old?.kind === 'O') fillUnchanged(slots, (i) => old[i] as ChangeSlot);
    if (this.#o.mode === 'append') {
      this.#append(slots, 'U', lsn);
      return;
    }
    const newKey = this.#key(slots, 'Update');
    const oldKey = old === undefined ? newKey : this.#key(old, 'Update (old tuple)');
    const prior = this.#byKey.get(oldKey);
    if (prior !== undefined && prior.op !== 'D') {
      const unknown = new Set(prior.unchanged ?? []);
      const arena = this.#arena;
      fillUnchanged(slots, (i) => (unknown.has(i) ? UNCHANGED : arena.field(prior.start, i)));
    }
    if (oldKey !== newKey) this.#put(oldKey, this.#keyOnly(old as ChangeSlot[]), 'D', lsn);
    this.#put(newKey, slots, 'U', lsn);
  }

  delete(msg: DeleteMessage, lsn: bigint): void {
    const old = this.#slots(msg.relationId, msg.old.tuple, 'Delete');
    for (let i = 0; i < old.length; i++) if (old[i] === UNCHANGED) old[i] = null;
    if (this.#o.mode === 'append') this.#append(old, 'D', lsn);
    else this.#put(this.#key(old, 'Delete'), this.#keyOnly(old), 'D', lsn);
  }

  /** The pending frame (if any), then a one-row frame with op 'T' (every stream column NULL). */
  truncate(lsn: bigint): RecordBatch[] {
    const out: RecordBatch[] = [];
    const pending = this.flush();
    if (pending !== undefined) out.push(pending);
    const arena = new ChangeRowArena(1024);
    const row = arena.writeRow(
      this.#columns.map(() => null),
      'T',
      lsn,
      undefined,
    );
    out.push(this.#decode(arena.copyStream([row])));
    return out;
  }

  /** The pending rows as one frame, or undefined when there are none; starts a new frame. */
  flush(): RecordBatch | undefined {
    if (this.#rows.length === 0) return undefined;
    const stream = this.#arena.copyStream(this.#rows);
    this.#arena = new ChangeRowArena();
    this.#rows = [];
    this.#byKey.clear();
    this.#liveBytes = 0;
    this.#deadBytes = 0;
    return this.#decode(stream);
  }

  #decode(stream: Buffer): RecordBatch {
    const decoder = new CopyBinaryDecoder([...this.#columns, ...cdcExtraColumns(this.#names)], {
      batchRows: NO_LIMIT,
      maxBatchBytes: NO_LIMIT,
    });
    const batches = [...decoder.push(stream), ...decoder.finish()];
    return markChangeColumns(batches[0] as RecordBatch, this.#metadata);
  }

  /** The tuple's values in stream column order. Throws PGOUTPUT_PROTOCOL or CDC_TEXT_VALUE. */
  #slots(relationId: number, tuple: TupleData, what: string): ChangeSlot[] {
    const stream = this.#o.stream;
    const mapping = this.#mappings.get(relationId);
    if (mapping === undefined) {
      throw new ReplicationError(
        'PGOUTPUT_PROTOCOL',
        `${stream}: ${what} for relation ${relationId} before its Relation message`,
        { stream },
      );
    }
    if (tuple.length !== mapping.length) {
      throw new ReplicationError(
        'PGOUTPUT_PROTOCOL',
        `${stream}: ${what} tuple has ${tuple.length} columns, relation ${relationId} has ${mapping.length}`,
        { stream },
      );
    }
    const slots = new Array<ChangeSlot>(this.#columns.length);
    for (let i = 0; i < mapping.length; i++) {
      const s = mapping[i] as number;
      if (s < 0) continue;
      const v = tuple[i];
      if (v === null || v === UNCHANGED) slots[s] = v as ChangeSlot;
      else if ('binary' in v) slots[s] = v.binary;
      // a type without a send function comes in text even in binary mode; a column the source
      // carries as text decodes those bytes as they are (text's binary form is its text)
      else if ((this.#columns[s] as PgColumn).typeOid === PG_OID.text) slots[s] = v.text;
      else {
        const column = this.#names[s] as string;
        throw new ReplicationError(
          'CDC_TEXT_VALUE',
          `${stream}: column "${column}" arrived in text format; the replication stream must be started with binary 'true'`,
          { stream, column },
        );
      }
    }
    return slots;
  }

  /** The key of a row as a map key (key fields' bytes, length-prefixed). Throws CDC_KEY_UNKNOWN. */
  #key(slots: readonly ChangeSlot[], what: string): string {
    let key = '';
    for (const i of this.#keyIndexes) {
      const v = slots[i];
      if (v === UNCHANGED || v === undefined) {
        const column = this.#names[i] as string;
        throw new ReplicationError(
          'CDC_KEY_UNKNOWN',
          `${this.#o.stream}: ${what} without the value of key column "${column}" (unchanged TOAST and no old tuple); set REPLICA IDENTITY FULL on the table`,
          { stream: this.#o.stream, column },
        );
      }
      key += v === null ? '-|' : `${v.length}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1')}|`;
    }
    return key;
  }

  #keyOnly(slots: readonly ChangeSlot[]): ChangeSlot[] {
    const out = new Array<ChangeSlot>(slots.length).fill(null);
    for (const i of this.#keyIndexes) out[i] = slots[i] as ChangeSlot;
    return out;
  }

  #encode(slots: readonly ChangeSlot[], op: CdcChangeOp, lsn: bigint): PendingRow {
    let unchanged: number[] | undefined;
    for (let i = 0; i < slots.length; i++) if (slots[i] === UNCHANGED) (unchanged ??= []).push(i);
    const json = unchanged === undefined ? undefined : JSON.stringify(unchanged.map((i) => this.#names[i]));
    const { start, end } = this.#arena.writeRow(slots, op, lsn, json);
    this.#liveBytes += end - start;
    return { start, end, op, unchanged };
  }

  #append(slots: readonly ChangeSlot[], op: CdcChangeOp, lsn: bigint): void {
    this.#rows.push(this.#encode(slots, op, lsn));
  }

  /** Sets the key's entry (in place when it exists: the frame keeps first-appearance order). */
  #put(key: string, slots: readonly ChangeSlot[], op: CdcChangeOp, lsn: bigint): void {
    const row = this.#encode(slots, op, lsn);
    const existing = this.#byKey.get(key);
    if (existing === undefined) {
      this.#rows.push(row);
      this.#byKey.set(key, row);
      return;
    }
    const dead = existing.end - existing.start;
    this.#liveBytes -= dead;
    this.#deadBytes += dead;
    Object.assign(existing, row);
    if (this.#deadBytes > COMPACT_MIN_DEAD_BYTES && this.#deadBytes > this.#liveBytes) {
      this.#arena = this.#arena.compact(this.#rows);
      this.#deadBytes = 0;
    }
  }
}

/** Replaces unchanged slots with the value `from(i)` gives, unless that is itself unchanged. */
function fillUnchanged(slots: ChangeSlot[], from: (i: number) => ChangeSlot): void {
  for (let i = 0; i < slots.length; i++) {
    if (slots[i] !== UNCHANGED) continue;
    const v = from(i);
    if (v !== UNCHANGED && v !== undefined) slots[i] = v;
  }
}

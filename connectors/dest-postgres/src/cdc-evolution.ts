import type { FrameField, FrameSchema, Step } from '@rapidbyte/sdk';
import { evolveTable, type EvolutionTarget, type EvolvedColumns } from './apply-evolution.js';
import { cdcPhase, streamFields, type CdcWriteMode } from './cdc-frame.js';
import { sameFields } from './plan-evolution.js';
import { columnHistoryOf } from './column-history.js';

/**
 * The source columns a CDC frame carries, as schema evolution compares them: without the `_rb_*`
 * change columns, and — for change frames, whose fields are all nullable because a delete carries
 * only its key (pgoutput has no nullability) — with nullability unknown (`nullable: false`, so it
 * is never a change). Snapshot frames carry the catalog's nullability, compared when a snapshot
 * loads.
 */
export function cdcSourceFields(schema: FrameSchema, mode: CdcWriteMode): FrameField[] {
  const fields = streamFields(schema, mode);
  return cdcPhase(schema) === 'snapshot' ? fields : fields.map((f) => ({ ...f, nullable: false }));
}

/** Follows a CDC stream's frames: evolves the target when a frame's source columns change (a Relation message at the source). */
export class CdcSchemaFollower {
  #fields: readonly FrameField[];

  constructor(
    readonly target: EvolutionTarget,
    first: readonly FrameField[],
    readonly mode: CdcWriteMode,
  ) {
    this.#fields = first.map((f) => ({ ...f, nullable: false }));
  }

  /** Whether `schema` has other source columns than the frames before (end any open COPY before `follow`). */
  differs(schema: FrameSchema): boolean {
    return !sameFields(
      cdcSourceFields(schema, this.mode).map((f) => ({ ...f, nullable: false })),
      this.#fields,
    );
  }

  /**
   * The columns to load from now on when `schema` differs from the frames before (after the DDL,
   * in the open transaction); undefined when it does not. `rowsBefore`: rows loaded so far.
   */
  *follow(schema: FrameSchema, rowsBefore: number): Step<EvolvedColumns | undefined> {
    const fields = cdcSourceFields(schema, this.mode);
    const comparable = fields.map((f) => ({ ...f, nullable: false }));
    if (sameFields(comparable, this.#fields)) return undefined;
    // renames and what earlier rows hold in added columns: from the source's column history in the frame's metadata
    const evolved = yield* evolveTable(this.target, fields, rowsBefore, columnHistoryOf(schema));
    this.#fields = comparable;
    return evolved;
  }
}

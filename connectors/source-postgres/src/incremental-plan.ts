import type { ErrorCode, PgColumn, ResumePoint, StreamContext } from '@rapidbyte/sdk';
import { carriedFrom } from './oid-alias-columns.js';
import { CURSOR_TYPE_NAMES, cursorTypeOf } from './cursor-type.js';
import { isCursorSentinel } from './cursor-sentinel.js';
import type { CursorLow, CursorRead } from './cursor-sql.js';
import { sameNames, type ReadKey } from './read-key.js';
import type { ReadRelation } from './stream-relation-sql.js';

/** Stable codes of the configuration problems an incremental read reports (all permanent). */
export const INCREMENTAL_PROBLEM_CODES = [
  'CURSOR_FIELD_REQUIRED',
  'COLUMN_NOT_FOUND',
  'CURSOR_TYPE_UNSUPPORTED',
  'LOOKBACK_NEEDS_UPSERT',
  'LOOKBACK_UNSUPPORTED',
  'CURSOR_FIELD_CHANGED',
  'CURSOR_SENTINEL_STORED',
] as const satisfies readonly ErrorCode[];
export type IncrementalProblemCode = (typeof INCREMENTAL_PROBLEM_CODES)[number];

export interface IncrementalProblem {
  readonly code: IncrementalProblemCode;
  readonly message: string;
  readonly column?: string;
}

/** How an incremental read runs: what it orders by, where it starts and what it checkpoints. */
export interface IncrementalPlan {
  readonly read: CursorRead;
  /** `format_type` of the cursor column (goes into checkpoints). */
  readonly cursorType: string;
  /** The first chunk's lower bound. */
  readonly low: CursorLow;
  /** `append` with a key: checkpoints carry the key tuples at the boundary value and of the sentinel rows. */
  readonly trackBoundary: boolean;
  /** With `trackBoundary`: the keys of sentinel-cursor rows delivered before (cursor-sentinel.ts). */
  readonly sentinelKeys: readonly (readonly string[])[];
  /** The final checkpoint when no row is read: the resume point again, or a start without a value. */
  readonly emptyCheckpoint: ResumePoint;
  readonly warnings: readonly string[];
}

export interface IncrementalInput {
  readonly relation: ReadRelation;
  readonly stream: StreamContext;
  /** All columns of the relation. */
  readonly columns: readonly PgColumn[];
  readonly key: ReadKey;
  readonly resume: ResumePoint | null | undefined;
}

/** Validates the cursor, lookback and resume point of an incremental read and plans it. */
export function planIncremental(
  input: IncrementalInput,
): { ok: true; plan: IncrementalPlan } | { ok: false; problem: IncrementalProblem } {
  const { stream, resume } = input;
  const fail = (code: IncrementalProblemCode, message: string, column?: string) => ({
    ok: false as const,
    problem: { code, message, column },
  });
  const field = stream.cursorField;
  if (!field) return fail('CURSOR_FIELD_REQUIRED', 'sync_mode incremental needs a cursor_field');
  const column = input.columns.find((c) => c.name === field);
  if (input.columns.length === 0) {
    return fail(
      'COLUMN_NOT_FOUND',
      `the table has no columns, so it has no cursor_field ${JSON.stringify(field)} to read by; use sync_mode full_refresh (it copies the row count)`,
      field,
    );
  }
  if (!column) {
    return fail(
      'COLUMN_NOT_FOUND',
      `cursor_field ${JSON.stringify(field)} is not a column; the table has ${input.columns.map((c) => JSON.stringify(c.name)).join(', ')}`,
      field,
    );
  }
  // an OID alias is read as text but compared as its own type at the source: not a cursor
  const aliasOf = carriedFrom(column);
  const type = aliasOf === undefined ? cursorTypeOf(column.typeOid) : undefined;
  if (!type) {
    return fail(
      'CURSOR_TYPE_UNSUPPORTED',
      `cursor_field ${JSON.stringify(field)} has type ${aliasOf ?? column.typeName}; a cursor must be one of ${CURSOR_TYPE_NAMES}`,
      field,
    );
  }
  const lookback = stream.lookback?.trim() ? stream.lookback.trim() : undefined;
  if (lookback && stream.writeMode !== 'upsert') {
    return fail(
      'LOOKBACK_NEEDS_UPSERT',
      `lookback re-reads rows, so it needs write_mode upsert (got ${stream.writeMode})`,
      field,
    );
  }
  if (lookback && !type.time) {
    return fail(
      'LOOKBACK_UNSUPPORTED',
      `lookback needs a date or timestamp cursor; ${JSON.stringify(field)} has type ${column.typeName}`,
      field,
    );
  }

  const read: CursorRead = {
    relation: input.relation,
    cursor: { name: field, type: type.cast },
    key: input.key.columns,
    ...(stream.onNullCursor === 'include' && { nulls: true }),
  };
  const keyNames = read.key.map((k) => k.name);
  const warnings = [...input.key.warnings];
  const start: ResumePoint = {
    mode: 'incremental',
    cursorField: field,
    cursorType: column.typeName,
    primaryKey: keyNames,
    rows: 0,
  };
  const append = stream.writeMode === 'append';
  /** Boundary keys need a key that is never NULL (a NULL never matches the exclusion list). */
  const identifies = keyNames.length > 0 && input.key.notNull;
  const sameKey = resume?.primaryKey === undefined || sameNames(resume.primaryKey, keyNames);
  const delivered =
    append && identifies && sameKey ? (resume?.sentinelKeys ?? []).filter((t) => t.length === keyNames.length) : [];
  const plan = (low: CursorLow, emptyCheckpoint: ResumePoint, sentinelKeys = delivered) => ({
    ok: true as const,
    plan: {
      read,
      cursorType: column.typeName,
      low,
      trackBoundary: append && identifies,
      sentinelKeys,
      emptyCheckpoint,
      warnings,
    },
  });

  if (resume?.mode !== 'incremental' || resume.cursorValue === undefined) return plan({ kind: 'all' }, start);
  if (resume.cursorField !== undefined && resume.cursorField !== field) {
    const message = `the stored cursor is on ${JSON.stringify(resume.cursorField)}, the stream's cursor_field is ${JSON.stringify(field)}`;
    if (append)
      return fail(
        'CURSOR_FIELD_CHANGED',
        `${message}; reset the stream's state to read it again from the start`,
        field,
      );
    warnings.push(`${message}: reading from the start (upsert makes the re-read harmless)`);
    return plan({ kind: 'all' }, start, []);
  }
  const value = resume.cursorValue;
  if (isCursorSentinel(value, type.cast)) {
    // no longer stored (cursor-sentinel.ts), but a resume point of an earlier version may hold one
    const message = `the stored cursor ${field} = ${value} is a value no later row can exceed (stored by an earlier version), so rows added after it were never read`;
    if (append) {
      return fail(
        'CURSOR_SENTINEL_STORED',
        `${message}; run \`rapidbyte state reset <pipeline.yaml> --stream ${stream.name}\` to read the table again from the start (append writes every row again), or use write_mode upsert`,
        field,
      );
    }
    warnings.push(`${message}: reading from the start (upsert makes the re-read harmless)`);
    return plan({ kind: 'all' }, start, []);
  }
  const again: ResumePoint = { ...resume, rows: 0 };
  if (!append) return plan({ kind: 'from', value, lookback }, again);
  const keysUsable =
    identifies &&
    resume.boundaryKeys !== undefined &&
    sameKey &&
    resume.boundaryKeys.every((t) => t.length === keyNames.length);
  if (keysUsable) return plan({ kind: 'from', value, exclude: { value, keys: resume.boundaryKeys ?? [] } }, again);
  warnings.push(
    `the rows already delivered at cursor value ${value} cannot be told apart (${identifies ? 'no matching boundary keys in the resume point' : 'no NOT NULL primary key'}); ` +
      'reading rows with a greater cursor only: a row committed later with exactly that value is not read',
  );
  return plan({ kind: 'after', value }, again);
}

/** The checkpoint after a chunk that ended at cursor value `upper`. */
export function incrementalCheckpoint(
  plan: IncrementalPlan,
  upper: string,
  boundaryKeys: readonly (readonly string[])[] | undefined,
  rows: number,
): ResumePoint {
  return {
    mode: 'incremental',
    cursorField: plan.read.cursor.name,
    cursorType: plan.cursorType,
    cursorValue: upper,
    primaryKey: plan.read.key.map((k) => k.name),
    ...(boundaryKeys ? { boundaryKeys } : {}),
    // carried through every checkpoint, so a run stopped before its sentinel read skips them too
    ...(plan.trackBoundary && plan.sentinelKeys.length > 0 ? { sentinelKeys: plan.sentinelKeys } : {}),
    rows,
  };
}

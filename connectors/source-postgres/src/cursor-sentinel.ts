import { quoteIdent } from '@rapidbyte/sdk/postgres';

/**
 * Cursor values no later row can exceed: `infinity` of a date or timestamp, and numeric `NaN`
 * (Postgres sorts it above every number) and `Infinity` (PostgreSQL 14+). Stored as the cursor,
 * such a value would make every later read `cursor >= infinity`, so rows added afterwards would
 * never be read. The rule: a sentinel is never stored as the cursor. The chunked read covers the
 * finite values (and `-infinity`, which only sorts first) and checkpoints the largest of them; the
 * rows with a sentinel are read after it on every run, with a warning that names them: upsert
 * rewrites them in place; append with a NOT NULL key records their keys in the checkpoint
 * (`sentinelKeys`) and skips those later; append without one writes them again each run.
 */
export type CursorSentinels = 'time' | 'numeric';

/** The sentinels of a cursor cast type (cursor-type.ts), or undefined when it has none. */
function cursorSentinels(castType: string): CursorSentinels | undefined {
  if (castType === 'date' || castType === 'timestamp without time zone' || castType === 'timestamp with time zone')
    return 'time';
  return castType === 'numeric' ? 'numeric' : undefined;
}

/** True when the cursor text `value` is a sentinel of its cast type (e.g. a stored cursor of an earlier version). */
export function isCursorSentinel(value: string, castType: string): boolean {
  const kind = cursorSentinels(castType);
  if (kind === 'time') return value === 'infinity';
  return kind === 'numeric' && (value === 'NaN' || value === 'Infinity');
}

/**
 * The predicate "the cursor column `name` holds a sentinel", or undefined for types without
 * one. Numeric: `NaN`, or a positive number that adding one leaves unchanged (only Infinity) —
 * written without the literal 'Infinity', which servers before 14 do not accept.
 */
export function sentinelPredicate(name: string, castType: string, alias?: string): string | undefined {
  const column = alias ? `${alias}.${quoteIdent(name)}` : quoteIdent(name);
  const kind = cursorSentinels(castType);
  if (kind === 'time') return `${column} = 'infinity'::${castType}`;
  if (kind === 'numeric') return `(${column} = 'NaN'::numeric OR (${column} > 0 AND ${column} + 1 = ${column}))`;
  return undefined;
}

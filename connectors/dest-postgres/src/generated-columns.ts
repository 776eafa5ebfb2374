import { GENERATED_COLUMNS_METADATA } from '@rapidbyte/sdk/frames';
import type { FrameColumn } from './frame-columns.js';
import { isSafeTypeName } from './sql-type-name.js';

/** `$1` = relation oid -> names of its generated columns (computed by the destination, never written). */
export const GENERATED_TARGET_COLUMNS_SQL = `SELECT attname::text FROM pg_attribute
WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND attgenerated <> ''`;

/**
 * A generated stored column of the source table that the frames do not carry: the table the
 * destination creates computes it with the same expression (`GENERATED ALWAYS AS (…) STORED`),
 * at `position` among the stream's columns.
 */
export interface GeneratedColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly expression: string;
  readonly position: number;
}

/**
 * The generated columns a frame's schema metadata describes; an entry that is malformed, or whose
 * type or expression could not be spliced into DDL safely, is returned in `rejected` (the column
 * is then not created: the caller warns).
 */
export function generatedColumnsOf(metadata: Readonly<Record<string, string>> | undefined): {
  specs: GeneratedColumnSpec[];
  rejected: string[];
} {
  const raw = metadata?.[GENERATED_COLUMNS_METADATA];
  if (!raw) return { specs: [], rejected: [] };
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return { specs: [], rejected: [GENERATED_COLUMNS_METADATA] };
  }
  const specs: GeneratedColumnSpec[] = [];
  const rejected: string[] = [];
  for (const item of Array.isArray(list) ? (list as unknown[]) : []) {
    const s = item as Partial<GeneratedColumnSpec>;
    if (typeof s.name !== 'string') continue;
    const ok =
      typeof s.type === 'string' &&
      isSafeTypeName(s.type) &&
      typeof s.expression === 'string' &&
      isSafeExpression(s.expression) &&
      Number.isInteger(s.position);
    if (ok)
      specs.push({
        name: s.name,
        type: s.type as string,
        expression: s.expression as string,
        position: s.position as number,
      });
    else rejected.push(s.name);
  }
  return { specs: specs.sort((a, b) => a.position - b.position), rejected };
}

/**
 * Whether `expression` is one SQL expression that can stand inside `GENERATED ALWAYS AS (…)`:
 * parentheses balanced (never closing the clause early) and no `;` or comment outside quoted
 * strings and identifiers. The text comes from the source's catalog (`pg_get_expr`), but a frame
 * can come from any connector, so it is checked before it is spliced into DDL.
 */
export function isSafeExpression(expression: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i] as string;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined; // a doubled quote closes and reopens: same result
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth += 1;
    else if (ch === ')') {
      depth -= 1;
      if (depth < 0) return false;
    } else if (ch === ';' || ch === '\0') return false;
    else if ((ch === '-' && expression[i + 1] === '-') || (ch === '/' && expression[i + 1] === '*')) return false;
  }
  return quote === undefined && depth === 0 && expression.trim().length > 0;
}

/** `columns` (the frame's, in order) with the generated ones the frames leave out inserted at their positions. */
export function withGeneratedColumns(
  columns: readonly FrameColumn[],
  specs: readonly GeneratedColumnSpec[],
): FrameColumn[] {
  const out = [...columns];
  for (const spec of specs) {
    if (out.some((c) => c.name === spec.name)) continue;
    out.splice(Math.min(spec.position, out.length), 0, {
      name: spec.name,
      typeName: spec.type,
      category: 'U',
      nullable: true,
      enumLabels: [],
      generated: spec.expression,
    });
  }
  return out;
}

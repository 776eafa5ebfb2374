import type { RecordBatch } from 'apache-arrow';
import { cellJson, cellText, readColumn, type CellValue } from './column-values.js';
import { columnIndex } from './frame-op-error.js';
import { parsePredicate, type PredicateKind, type PredicateRule } from './frame-predicate.js';
import { takeRows } from './take-rows.js';

/** One rejected row as `frame-filter` describes it (JSON). */
export interface RowFailure {
  /** Row index in the input frame. */
  readonly row: number;
  readonly column: string;
  readonly rule: PredicateKind;
  readonly reason: string;
  /** The row's values by column (int8 and decimals as strings, timestamps as ISO text). */
  readonly record: Record<string, string | number | boolean | null>;
}

/** What `frame-filter` returns: the passing rows and the failing ones. */
export interface FilterResult {
  readonly passed: RecordBatch;
  readonly failedCount: number;
  /** The first `maxDetails` failures, in row order. */
  readonly failures: RowFailure[];
}

/** Keys `unique` rules have seen, per column; one per transform session (the host keeps it). */
export type SeenKeys = Map<string, Set<string>>;

function numeric(v: Exclude<CellValue, null>): number | bigint | string {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (typeof v === 'object' && 'decimal' in v) return Number(cellText(v));
  const text = cellText(v);
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : text;
}

function outOfRange(v: Exclude<CellValue, null>, range: NonNullable<PredicateRule['range']>): string | undefined {
  const x = numeric(v);
  const bound = (b: number | string): number | string => (typeof x === 'string' ? String(b) : Number(b));
  if (range.min !== undefined && x < bound(range.min)) return `${cellText(v)} is below the minimum ${range.min}`;
  if (range.max !== undefined && x > bound(range.max)) return `${cellText(v)} is above the maximum ${range.max}`;
  return undefined;
}

/** The first rule (other than `unique`) the value breaks, with the reason. */
function check(
  rule: PredicateRule,
  v: CellValue,
  regex: RegExp | undefined,
  allowed: Set<string> | undefined,
): [PredicateKind, string] | undefined {
  if (v === null) return rule.not_null ? ['not_null', 'is null'] : undefined;
  if (regex && !regex.test(cellText(v)))
    return ['regex', `${JSON.stringify(cellText(v))} does not match /${rule.regex}/`];
  if (rule.range) {
    const reason = outOfRange(v, rule.range);
    if (reason) return ['range', reason];
  }
  if (allowed && !allowed.has(cellText(v)))
    return ['allowed_values', `${JSON.stringify(cellText(v))} is not one of ${[...allowed].join(', ')}`];
  return undefined;
}

/**
 * `frame-filter`: evaluates the rules over whole columns and splits the frame into passing rows
 * (a new frame) and failing ones (a count and the first `maxDetails` described). A row fails on
 * its first broken rule. `unique` sees only rows that pass every other rule, and remembers their
 * keys in `seen` across frames.
 */
export function filterFrame(batch: RecordBatch, rulesJson: string, maxDetails: number, seen: SeenKeys): FilterResult {
  const rules = parsePredicate(rulesJson);
  const fields = batch.schema.fields;
  const reasons = new Array<[string, PredicateKind, string] | undefined>(batch.numRows);
  const cellsOf = new Map<string, CellValue[]>();
  const cells = (column: string): CellValue[] => {
    let c = cellsOf.get(column);
    if (!c)
      cellsOf.set(
        column,
        (c = readColumn(batch.data.children[columnIndex(fields, column, 'frame-filter')] as RecordBatch['data'])),
      );
    return c;
  };
  for (const rule of rules) {
    const values = cells(rule.column);
    const regex = rule.regex !== undefined ? new RegExp(rule.regex, 'u') : undefined;
    const allowed = rule.allowed_values ? new Set(rule.allowed_values.map(String)) : undefined;
    for (let row = 0; row < values.length; row++) {
      if (reasons[row]) continue;
      const failed = check(rule, values[row] as CellValue, regex, allowed);
      if (failed) reasons[row] = [rule.column, failed[0], failed[1]];
    }
  }
  for (const rule of rules.filter((r) => r.unique)) {
    const values = cells(rule.column);
    let keys = seen.get(rule.column);
    if (!keys) seen.set(rule.column, (keys = new Set()));
    for (let row = 0; row < values.length; row++) {
      const v = values[row] as CellValue;
      if (reasons[row] || v === null) continue;
      const key = cellText(v);
      if (keys.has(key)) reasons[row] = [rule.column, 'unique', `duplicate value ${JSON.stringify(key)}`];
      else keys.add(key);
    }
  }
  const passedRows: number[] = [];
  const failures: RowFailure[] = [];
  let failedCount = 0;
  const all = failures.length < maxDetails ? fields.map((f) => cells(f.name)) : [];
  for (let row = 0; row < batch.numRows; row++) {
    const reason = reasons[row];
    if (!reason) {
      passedRows.push(row);
      continue;
    }
    failedCount++;
    if (failures.length >= maxDetails) continue;
    const record: RowFailure['record'] = {};
    fields.forEach((f, i) => (record[f.name] = cellJson((all[i] as CellValue[])[row] as CellValue)));
    failures.push({ row, column: reason[0], rule: reason[1], reason: reason[2], record });
  }
  return { passed: failedCount === 0 ? batch : takeRows(batch, passedRows), failedCount, failures };
}

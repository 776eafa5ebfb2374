import { FrameOpError } from './frame-op-error.js';

/** Rule kinds of `frame-filter`; a rule names one column and sets one or more of them. */
export const PREDICATE_KINDS = ['not_null', 'regex', 'range', 'allowed_values', 'unique'] as const;
export type PredicateKind = (typeof PREDICATE_KINDS)[number];

/** One validation rule as JSON (the `rules-json` list of `frame-filter`). */
export interface PredicateRule {
  readonly column: string;
  /** The value must not be NULL. */
  readonly not_null?: boolean;
  /** The value's text must match (JavaScript syntax, unanchored: use `^...$`); NULL passes. */
  readonly regex?: string;
  /** Inclusive numeric bounds (numbers or numeric strings; dates/timestamps compare as ISO text); NULL passes. */
  readonly range?: { readonly min?: number | string; readonly max?: number | string };
  /** The value's text must be one of these; NULL passes. */
  readonly allowed_values?: readonly (string | number | boolean)[];
  /** No value may repeat within the session (the first one passes); NULL passes. */
  readonly unique?: boolean;
}

/** Parses and checks `rules-json`; a bad rule is `BAD_PREDICATE` naming the rule and key. */
export function parsePredicate(json: string): PredicateRule[] {
  let rules: unknown;
  try {
    rules = JSON.parse(json);
  } catch (error) {
    throw new FrameOpError('BAD_PREDICATE', `frame-filter: rules are not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(rules)) throw new FrameOpError('BAD_PREDICATE', 'frame-filter: rules must be a JSON list');
  rules.forEach((r: unknown, i) => {
    const rule = r as Record<string, unknown>;
    if (typeof rule !== 'object' || rule === null || typeof rule.column !== 'string') {
      throw new FrameOpError('BAD_PREDICATE', `frame-filter: rule ${i} needs a "column"`);
    }
    const unknown = Object.keys(rule).filter(
      (k) => k !== 'column' && !(PREDICATE_KINDS as readonly string[]).includes(k),
    );
    if (unknown.length > 0) {
      throw new FrameOpError(
        'BAD_PREDICATE',
        `frame-filter: rule ${i} has unknown key ${unknown.join(', ')}; allowed: ${PREDICATE_KINDS.join(', ')}`,
        { column: rule.column },
      );
    }
    if (rule.regex !== undefined) {
      try {
        new RegExp(String(rule.regex), 'u');
      } catch (error) {
        throw new FrameOpError('BAD_PREDICATE', `frame-filter: rule ${i} regex: ${(error as Error).message}`, {
          column: rule.column,
        });
      }
    }
  });
  return rules as PredicateRule[];
}

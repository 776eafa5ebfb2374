import { StateError } from './state-error.js';

/** A count stored as INTEGER: a non-negative safe integer. */
export function requireCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StateError('INVALID_ARGUMENT', `${name} must be a non-negative integer, got ${String(value)}`, {
      details: { name, value },
    });
  }
  return value;
}

export function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StateError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${String(value)}`, {
      details: { name, value },
    });
  }
  return value;
}

/** Optional text stays text: a number here would lose int8 or microsecond precision. */
export function requireOptionalText(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new StateError('INVALID_ARGUMENT', `${name} must be text, got ${typeof value}`, { details: { name } });
  }
  return value;
}

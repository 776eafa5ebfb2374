/** `every:` as written: a number and a unit (`ms` only so that `500ms` gets the "at least 1s" message). */
export const EVERY_PATTERN = '^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)\\s*$';

const EVERY = new RegExp(EVERY_PATTERN);
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** The shortest interval: ticks are planned to the second, as cron's seconds field is. */
export const MIN_EVERY_MS = 1000;

/**
 * Milliseconds of an `every:` interval (`10m`, `30s`, `1.5h`, `1d`), or the reason it is not one:
 * a shape other than number + unit, below 1s, or not a whole number of seconds.
 */
export function parseEvery(text: string): { readonly ms: number } | { readonly problem: string } {
  const match = EVERY.exec(text);
  if (match === null) return { problem: "must be a number and a unit: s, m, h or d (like '30s', '10m', '1h' or '1d')" };
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  if (ms < MIN_EVERY_MS) return { problem: 'must be at least 1s' };
  if (!Number.isSafeInteger(ms)) return { problem: 'is too long' };
  if (ms % 1000 !== 0) return { problem: 'must be a whole number of seconds' };
  return { ms };
}

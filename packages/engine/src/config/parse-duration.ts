/** Durations as written in YAML: `60s`, `500ms`, `2m`, `1.5s`, or a number of seconds. */
export const DURATION_PATTERN = '^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?\\s*$';

const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration as written in YAML: a positive number of seconds, or a string
 * matching {@link DURATION_PATTERN} (no unit = seconds). Returns undefined for anything else,
 * including 0 and values under a millisecond.
 */
export function parseDuration(duration: number | string): number | undefined {
  if (typeof duration === 'number') return positiveMs(duration * 1000);
  const match = DURATION.exec(duration);
  if (match === null) return undefined;
  return positiveMs(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number));
}

function positiveMs(ms: number): number | undefined {
  const rounded = Math.floor(ms);
  return Number.isFinite(ms) && rounded > 0 && Number.isSafeInteger(rounded) ? rounded : undefined;
}

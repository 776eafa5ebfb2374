/**
 * Session settings every read applies right after connecting, so values this source reads as text
 * (cursor values, key tuples) are exact and unambiguous: timestamps in ISO form and UTC, intervals
 * in the `postgres` style, floats with enough digits to round-trip.
 */
const SESSION_SETTINGS = [
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '3'],
] as const;

/**
 * One statement (the host runs single statements) that applies SESSION_SETTINGS for the session:
 * `SELECT set_config('TimeZone', 'UTC', false), ...`. Same effect as `SET TimeZone='UTC'; ...`.
 */
export const SESSION_SETTINGS_SQL = `SELECT ${SESSION_SETTINGS.map(([name, value]) => `set_config('${name}', '${value}', false)`).join(', ')}`;

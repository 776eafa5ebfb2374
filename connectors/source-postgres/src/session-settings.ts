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
 *
 * `row_security` is `off` unless filtered reads are wanted: a query that row-level security would
 * filter then fails (SQLSTATE 42501) instead of returning fewer rows, as in pg_dump. It catches what
 * the catalog check of the stream's own table cannot see (a view over a table with policies).
 */
export function sessionSettingsSql(rowSecurity: boolean): string {
  const settings = [...SESSION_SETTINGS, ['row_security', rowSecurity ? 'on' : 'off'] as const];
  return `SELECT ${settings.map(([name, value]) => `set_config('${name}', '${value}', false)`).join(', ')}`;
}

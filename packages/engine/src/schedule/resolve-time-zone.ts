import { closestName } from './closest-name.js';

/**
 * The canonical IANA name of `zone` ('europe/berlin' → 'Europe/Berlin'), or why it is not a
 * time zone, with the closest known zone as a suggestion.
 */
export function resolveTimeZone(zone: string): { readonly timezone: string } | { readonly problem: string } {
  try {
    return { timezone: new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone };
  } catch {
    const known = ['UTC', ...Intl.supportedValuesOf('timeZone')];
    const close = closestName(zone, known);
    const hint = close === undefined ? '' : ` (did you mean '${close}'?)`;
    return {
      problem: `unknown time zone '${zone}'${hint}; use an IANA name like 'Europe/Berlin', 'America/New_York' or 'UTC'`,
    };
  }
}

const PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;

/**
 * `at` as ISO 8601 wall-clock time in `timezone` with its UTC offset, to the second:
 * `2026-10-25T02:30:00+02:00` and `2026-10-25T02:30:00+01:00` are the two 02:30s of a fall-back
 * night. UTC gives `…Z`.
 */
export function formatFireTime(at: Date, timezone: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const value = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const [year, month, day, hour, minute, second] = PARTS.map((p) => Number(value[p]));
  const wallAsUtc = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wallAsUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const wall = `${pad(year as number, 4)}-${pad(month as number)}-${pad(day as number)}T${pad(hour as number)}:${pad(minute as number)}:${pad(second as number)}`;
  if (offsetMinutes === 0 && timezone === 'UTC') return `${wall}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

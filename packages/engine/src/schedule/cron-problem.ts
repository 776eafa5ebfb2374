import { Cron } from 'croner';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Tokens croner accepts in this field beyond numbers, ranges and steps (`L`, `15W`, `MON#2`). */
  readonly extra?: RegExp;
}

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const MINUTES_FIRST: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(L(-\d+)?|LW|\d+W)$/i },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
    extra: /^\+?([0-7]|[A-Z]{3})(#([1-5]|L)|L)$/i,
  },
];

/** Nicknames cron and croner both read. `@reboot` is not a time. */
export const CRON_NICKNAMES = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
] as const;

const ITEM = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/;
/** A fixed instant to probe "does this ever fire": validation must not depend on the clock. */
const PROBE_FROM = new Date('2000-01-01T00:00:00Z');

/** The croner job that computes a cron timing's ticks (no callback: it never starts a timer). */
export function cronJob(cron: string, timezone: string): Cron {
  return new Cron(cron.trim(), { timezone, mode: '5-or-6-parts' });
}

/**
 * Why `expression` is not a cron expression this engine schedules, naming the field at fault
 * (`minute field: 61 is out of range 0-59`), or undefined when it is one. Five fields (minute
 * hour day-of-month month day-of-week), six (a second field first), or a nickname (`@daily`).
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return (CRON_NICKNAMES as readonly string[]).includes(text.toLowerCase())
      ? undefined
      : `unknown nickname '${text}'; allowed: ${CRON_NICKNAMES.join(', ')}`;
  }
  const parts = text === '' ? [] : text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return `${parts.length} field(s); expected 5 (minute hour day-of-month month day-of-week) or 6 (second minute hour day-of-month month day-of-week)`;
  }
  const fields = parts.length === 6 ? [SECOND, ...MINUTES_FIRST] : MINUTES_FIRST;
  for (let i = 0; i < parts.length; i++) {
    const problem = fieldProblem(parts[i] as string, fields[i] as CronField);
    if (problem !== undefined) return `${(fields[i] as CronField).name} field '${parts[i]}': ${problem}`;
  }
  let job: Cron;
  try {
    job = cronJob(text, 'UTC');
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern:\s*/, '');
  }
  if (job.nextRun(PROBE_FROM) === null) return 'matches no date (the day-of-month never falls in the month)';
  return undefined;
}

function fieldProblem(field: string, spec: CronField): string | undefined {
  for (const item of field.split(',')) {
    if (item === '') return 'empty list item';
    if (spec.extra?.test(item)) continue; // croner's own check runs after this one
    const match = ITEM.exec(item);
    if (match === null) return `'${item}' is not a value, range (1-5), step (*/15, 0-30/5) or list (1,15)`;
    const [, from, to, step] = match;
    if (step !== undefined && Number(step) < 1) return `step ${step} must be at least 1`;
    if (from === '*' || from === '?') {
      if (to !== undefined) return `'${item}' is not a range (write ${spec.min}-${spec.max})`;
      continue;
    }
    if (step !== undefined && to === undefined)
      return `'${item}': a step needs * or a range before it (*/${step} or ${from}-${spec.max}/${step})`;
    const low = valueOf(from as string, spec);
    if (typeof low === 'string') return low;
    if (to === undefined) continue;
    const high = valueOf(to, spec);
    if (typeof high === 'string') return high;
    if (high < low) return `range ${from}-${to} runs backwards`;
  }
  return undefined;
}

function valueOf(token: string, spec: CronField): number | string {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.name === 'month' ? named + 1 : named;
  if (!/^\d+$/.test(token)) {
    const names = spec.names === undefined ? '' : ` or a name (${spec.names[0]}-${spec.names[spec.names.length - 1]})`;
    return `'${token}' is not a number${names}`;
  }
  const n = Number(token);
  return n < spec.min || n > spec.max ? `${n} is out of range ${spec.min}-${spec.max}` : n;
}

import {
  DEFAULT_CATCH_UP,
  DEFAULT_DEPENDENCY_CONDITION,
  DEFAULT_OVERLAP,
  DEFAULT_TIMEZONE,
  parseEvery,
  resolveTimeZone,
  type CatchUpPolicy,
  type Dependency,
  type DependencyCondition,
  type OverlapPolicy,
  type Schedule,
  type ScheduleTiming,
} from '../schedule/index.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated input
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- reads of Raw, as above */

/** `schedule` and `dependsOn` of a validated raw document, defaults applied; absent keys stay absent. */
export function buildScheduleConfig(doc: Raw): { schedule?: Schedule; dependsOn?: readonly Dependency[] } {
  const out: { schedule?: Schedule; dependsOn?: Dependency[] } = {};
  if (doc.schedule !== undefined) {
    const raw: Raw = doc.schedule;
    const timing: ScheduleTiming =
      raw.cron !== undefined
        ? { kind: 'cron', cron: String(raw.cron).trim(), timezone: canonicalZone(raw.timezone ?? DEFAULT_TIMEZONE) }
        : {
            kind: 'every',
            every: String(raw.every).trim(),
            everyMs: (parseEvery(String(raw.every)) as { ms: number }).ms,
          };
    out.schedule = {
      ...timing,
      overlap: (raw.overlap as OverlapPolicy | undefined) ?? DEFAULT_OVERLAP,
      catchUp: (raw.catch_up as CatchUpPolicy | undefined) ?? DEFAULT_CATCH_UP,
    };
  }
  if (doc.depends_on !== undefined) {
    out.dependsOn = (doc.depends_on as Raw[]).map((d) => ({
      pipeline: String(d.pipeline),
      on: (d.on as DependencyCondition | undefined) ?? DEFAULT_DEPENDENCY_CONDITION,
    }));
  }
  return out;
}

function canonicalZone(zone: string): string {
  const resolved = resolveTimeZone(zone);
  return 'timezone' in resolved ? resolved.timezone : zone;
}

import { cronProblem, parseEvery, resolveTimeZone, EVERY_PATTERN } from '../schedule/index.js';
import type { IssueCollector } from './issue-collector.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Names of the streams of `doc` read by CDC (a pipeline with any is served by `--follow`). */
export function cdcStreamNames(doc: unknown): string[] {
  if (!isObject(doc) || !isObject(doc.source) || !Array.isArray(doc.source.streams)) return [];
  return doc.source.streams.filter((s): s is Raw => isObject(s) && s.sync_mode === 'cdc').map((s) => String(s.name));
}

/**
 * The rules of `schedule:` and `depends_on:` that one file shows and a JSON Schema cannot say
 * well, on the raw document: exactly one of cron and every, the cron expression (which field is
 * wrong), the time zone, the interval (at least 1s), no schedule on a CDC pipeline, no schedule
 * together with depends_on, no pipeline listed twice or depending on itself. Names of other
 * pipelines and cycles are checked across the project.
 */
export function checkSchedule(doc: unknown, issues: IssueCollector): void {
  if (!isObject(doc)) return;
  const cdc = cdcStreamNames(doc);
  if (isObject(doc.schedule)) {
    checkTiming(doc.schedule, issues);
    if (cdc.length > 0) {
      issues.add(
        ['schedule'],
        `a pipeline with CDC streams (${cdc.join(', ')}) cannot have a schedule: CDC is served continuously by 'rapidbyte run --follow', never started by ticks. Remove schedule, or move the CDC streams to a pipeline of their own`,
        'key',
      );
    }
    if (doc.depends_on !== undefined) {
      issues.add(
        ['schedule'],
        'a pipeline with depends_on is started when the pipelines it depends on finish; it cannot have a schedule too. Remove one of them (schedule the upstream pipeline instead)',
        'key',
      );
    }
  }
  if (!Array.isArray(doc.depends_on)) return;
  if (cdc.length > 0) {
    issues.add(
      ['depends_on'],
      `a pipeline with CDC streams (${cdc.join(', ')}) cannot depend on other pipelines: CDC is served continuously by 'rapidbyte run --follow', never started by another pipeline's run. Remove depends_on`,
      'key',
    );
  }
  const seen = new Set<string>();
  doc.depends_on.forEach((entry, index) => {
    if (!isObject(entry) || typeof entry.pipeline !== 'string') return;
    const at = ['depends_on', index, 'pipeline'];
    if (entry.pipeline === doc.pipeline)
      issues.add(
        at,
        `pipeline '${entry.pipeline}' depends on itself (dependency cycle: ${entry.pipeline} → ${entry.pipeline})`,
      );
    else if (seen.has(entry.pipeline)) issues.add(at, `pipeline '${entry.pipeline}' is listed twice in depends_on`);
    seen.add(entry.pipeline);
  });
}

function checkTiming(schedule: Raw, issues: IssueCollector): void {
  const { cron, every, timezone } = schedule;
  if (cron !== undefined && every !== undefined) {
    issues.add(
      ['schedule', 'every'],
      'schedule has both cron and every; give one: cron for wall-clock times, every for a fixed interval',
      'key',
    );
  } else if (cron === undefined && every === undefined) {
    issues.add(['schedule'], "schedule needs cron (like '*/15 * * * *') or every (like '10m')", 'key');
  }
  if (typeof cron === 'string' && cron.trim() !== '') {
    const problem = cronProblem(cron);
    if (problem !== undefined)
      issues.add(
        ['schedule', 'cron'],
        `invalid cron expression ${issues.show(['schedule', 'cron'], cron)}: ${problem}`,
      );
  }
  if (typeof every === 'string' && new RegExp(EVERY_PATTERN).test(every)) {
    const parsed = parseEvery(every);
    if ('problem' in parsed)
      issues.add(['schedule', 'every'], `every ${issues.show(['schedule', 'every'], every)} ${parsed.problem}`);
  }
  if (typeof timezone === 'string' && timezone !== '') {
    const resolved = resolveTimeZone(timezone);
    if ('problem' in resolved) issues.add(['schedule', 'timezone'], resolved.problem);
    else if (every !== undefined && cron === undefined) {
      issues.add(
        ['schedule', 'timezone'],
        'timezone applies to cron only: every counts real time (multiples of the interval since 1970-01-01T00:00Z), the same in every zone',
        'key',
      );
    }
  }
}

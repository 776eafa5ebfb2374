import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue } from './config-error.js';
import { loadPipelineConfig, type ConnectorSchemaResolver } from './load-pipeline-config.js';

const resolveConnector: ConnectorSchemaResolver = () => ({ configSchema: { type: 'object' } });

/** A pipeline whose lines after `destination` are `tail`; `streams` replaces the one full-refresh stream. */
function pipeline(tail: string, streams = '    - { name: public.orders, sync_mode: full_refresh }'): string {
  return `version: "1.0"
pipeline: orders
source:
  use: source-postgres
  streams:
${streams}
destination:
  use: dest-postgres
  write_mode: upsert
${tail}`;
}

function load(yaml: string) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-schedule-')), 'orders.yaml');
  writeFileSync(file, yaml);
  return loadPipelineConfig(file, { env: {}, resolveConnector });
}

/** The formatted issue lines (`file:line:col: path: message`), file reduced to its base name. */
function issues(yaml: string): string[] {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => formatConfigIssue({ ...i, file: path.basename(i.file) }));
  }
  throw new Error('expected a ConfigError');
}

describe('schedule: in the pipeline file', () => {
  it('reads cron with a zone and the policies, defaults applied', () => {
    const config = load(
      pipeline('schedule: { cron: "*/15 * * * *", timezone: europe/berlin, overlap: queue_one, catch_up: none }\n'),
    );
    expect(config.schedule).toEqual({
      kind: 'cron',
      cron: '*/15 * * * *',
      timezone: 'Europe/Berlin',
      overlap: 'queue_one',
      catchUp: 'none',
    });
    const defaults = load(pipeline('schedule: { cron: "0 30 2 * * *" }\n'));
    expect(defaults.schedule).toEqual({
      kind: 'cron',
      cron: '0 30 2 * * *',
      timezone: 'UTC',
      overlap: 'skip',
      catchUp: 'one',
    });
    expect(Object.isFrozen(defaults.schedule)).toBe(true);
  });

  it('reads every and depends_on (on: success by default)', () => {
    const config = load(pipeline('schedule: { every: 10m }\n'));
    expect(config.schedule).toEqual({ kind: 'every', every: '10m', everyMs: 600_000, overlap: 'skip', catchUp: 'one' });
    const dependent = load(
      pipeline('depends_on:\n  - { pipeline: raw_orders }\n  - { pipeline: raw_customers, on: completion }\n'),
    );
    expect(dependent.dependsOn).toEqual([
      { pipeline: 'raw_orders', on: 'success' },
      { pipeline: 'raw_customers', on: 'completion' },
    ]);
    expect(dependent.schedule).toBeUndefined();
  });

  it('a pipeline without either has neither key', () => {
    const config = load(pipeline(''));
    expect('schedule' in config).toBe(false);
    expect('dependsOn' in config).toBe(false);
  });

  it('an invalid cron expression names the field, file:line and key', () => {
    expect(issues(pipeline('schedule:\n  cron: "*/15 24 * * *"\n'))).toEqual([
      `orders.yaml:11:9: schedule.cron: invalid cron expression "*/15 24 * * *": hour field '24': 24 is out of range 0-23`,
    ]);
  });

  it('an unknown time zone, with a suggestion', () => {
    expect(issues(pipeline('schedule: { cron: "0 2 * * *", timezone: Europe/Berln }\n'))).toEqual([
      `orders.yaml:10:42: schedule.timezone: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?); use an IANA name like 'Europe/Berlin', 'America/New_York' or 'UTC'`,
    ]);
  });

  it('every below 1s, malformed every, both cron and every, neither', () => {
    expect(issues(pipeline('schedule: { every: 500ms }\n'))).toEqual([
      `orders.yaml:10:20: schedule.every: every "500ms" must be at least 1s`,
    ]);
    expect(issues(pipeline('schedule: { every: 10 minutes }\n'))).toEqual([
      `orders.yaml:10:20: schedule.every: every must be an interval like '30s', '10m', '1h' or '1d', got string "10 minutes"`,
    ]);
    expect(issues(pipeline('schedule: { cron: "* * * * *", every: 1m }\n'))).toEqual([
      'orders.yaml:10:32: schedule.every: schedule has both cron and every; give one: cron for wall-clock times, every for a fixed interval',
    ]);
    expect(issues(pipeline('schedule: { overlap: skip }\n'))).toEqual([
      "orders.yaml:10:1: schedule: schedule needs cron (like '*/15 * * * *') or every (like '10m')",
    ]);
    expect(issues(pipeline('schedule: { every: 1m, timezone: UTC }\n'))[0]).toContain(
      'schedule.timezone: timezone applies to cron only',
    );
  });

  it('enum keys name the allowed values', () => {
    expect(issues(pipeline('schedule: { every: 1m, overlap: queue, catch_up: all }\n'))).toEqual([
      'orders.yaml:10:33: schedule.overlap: invalid overlap "queue"; allowed values: skip, queue_one',
      'orders.yaml:10:50: schedule.catch_up: invalid catch_up "all"; allowed values: none, one',
    ]);
    expect(issues(pipeline('depends_on: [{ pipeline: a, on: failure }]\n'))).toEqual([
      'orders.yaml:10:33: depends_on[0].on: invalid on "failure"; allowed values: success, completion',
    ]);
  });

  it('a CDC pipeline with a schedule is refused: CDC is served by --follow', () => {
    const cdc = '    - { name: public.orders, sync_mode: cdc }\n    - { name: public.items, sync_mode: full_refresh }';
    expect(issues(pipeline('schedule: { every: 5m }\n', cdc))).toEqual([
      "orders.yaml:11:1: schedule: a pipeline with CDC streams (public.orders) cannot have a schedule: CDC is served continuously by 'rapidbyte run --follow', never started by ticks. Remove schedule, or move the CDC streams to a pipeline of their own",
    ]);
    expect(issues(pipeline('depends_on: [{ pipeline: raw }]\n', cdc))[0]).toContain(
      'depends_on: a pipeline with CDC streams (public.orders) cannot depend on other pipelines',
    );
  });

  it('schedule with depends_on, a pipeline listed twice, a pipeline depending on itself', () => {
    expect(issues(pipeline('schedule: { every: 5m }\ndepends_on: [{ pipeline: raw }]\n'))[0]).toContain(
      'schedule: a pipeline with depends_on is started when the pipelines it depends on finish; it cannot have a schedule too',
    );
    expect(issues(pipeline('depends_on: [{ pipeline: raw }, { pipeline: raw, on: completion }]\n'))).toEqual([
      "orders.yaml:10:45: depends_on[1].pipeline: pipeline 'raw' is listed twice in depends_on",
    ]);
    expect(issues(pipeline('depends_on: [{ pipeline: orders }]\n'))).toEqual([
      "orders.yaml:10:26: depends_on[0].pipeline: pipeline 'orders' depends on itself (dependency cycle: orders → orders)",
    ]);
  });
});

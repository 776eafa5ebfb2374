// `rapidbyte schedule list|next` and `rapidbyte check` on a project (README "Schedules and
// dependencies"): every file's config errors in one report with file:line, exit 2; fire times
// across the DST days printed exactly. No database is reached: nothing here connects.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const ENDPOINTS = `  config: { url: "postgres://reader@127.0.0.1:5432/shop" }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }`;

/** A pipeline file: one full-refresh stream (or `cdc`), `extra` lines at the top level. */
function pipeline(name: string, extra = '', syncMode = 'full_refresh'): string {
  return `version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
${ENDPOINTS}
  streams: [{ name: public.${name}, sync_mode: ${syncMode} }]
destination:
  use: dest-postgres
${ENDPOINTS}
  write_mode: upsert
${extra}`;
}

/** A temp project folder holding `files` (name → text); returns the folder. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-e2e-project-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The issue lines of a config error report, with the folder cut off the paths. */
function issueLines(stderr: string, dir: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith(`  ${dir}/`))
    .map((l) => l.slice(dir.length + 3));
}

describe('rapidbyte schedule and check on a project', () => {
  it('a cycle, an unknown dependency and a bad cron in three files are reported together, each with file:line, exit 2', async () => {
    const dir = project({
      'a_cycle.yaml': pipeline('orders', 'depends_on: [{ pipeline: customers }]\n'),
      'b_cycle.yaml': pipeline('customers', 'depends_on: [{ pipeline: orders, on: completion }]\n'),
      'c_unknown.yaml': pipeline('mart', 'depends_on: [{ pipeline: raw_order }]\n'),
      'd_cron.yaml': pipeline('raw_orders', 'schedule:\n  cron: "*/15 24 * * *"\n  timezone: Europe/Berlin\n'),
    });
    const expected = [
      'a_cycle.yaml:13:26: depends_on[0].pipeline: dependency cycle: orders → customers → orders (orders: a_cycle.yaml, customers: b_cycle.yaml); none of them could ever start. Remove one of these depends_on entries',
      "c_unknown.yaml:13:26: depends_on[0].pipeline: unknown pipeline 'raw_order' in depends_on (did you mean 'raw_orders'?); the project's pipelines: orders, customers, mart, raw_orders",
      `d_cron.yaml:14:9: schedule.cron: invalid cron expression "*/15 24 * * *": hour field '24': 24 is out of range 0-23`,
    ];
    const list = await runCli(['schedule', 'list', dir], { timeoutMs: 60_000 });
    expect(list.code, list.stderr).toBe(2);
    expect(list.stderr).toContain('invalid project (3 issues):');
    expect(issueLines(list.stderr, dir)).toEqual(expected);
    expect(list.stdout).toBe('');

    const check = await runCli(['check', dir], { timeoutMs: 60_000 });
    expect(check.code, check.stderr).toBe(2);
    expect(check.stdout).toBe(`FAILED  project ${dir}\n`);
    expect(issueLines(check.stderr, dir)).toEqual(expected);

    // the same files listed by a project file, one of them missing: still one report of everything
    writeFileSync(
      join(dir, 'project.yaml'),
      'pipelines: [a_cycle.yaml, b_cycle.yaml, c_unknown.yaml, d_cron.yaml, missing.yaml]\n',
    );
    const viaFile = await runCli(['schedule', 'list', join(dir, 'project.yaml')], { timeoutMs: 60_000 });
    expect(viaFile.code).toBe(2);
    expect(issueLines(viaFile.stderr, dir)).toEqual([
      "project.yaml:1:70: pipelines[4]: no such pipeline file: missing.yaml (paths are relative to the project file's folder)",
      ...expected,
    ]);
  });

  it('schedule list prints every pipeline: schedule, zone, next fire time (after --after) and depends_on', async () => {
    const dir = project({
      'project.yaml':
        'pipelines:\n  - raw/orders.yaml\n  - raw/events.yaml\n  - marts/orders_mart.yaml\n  - adhoc.yaml\n',
      'raw/orders.yaml': pipeline(
        'raw_orders',
        'schedule: { cron: "30 2 * * *", timezone: Europe/Berlin, overlap: queue_one }\n',
      ),
      'raw/events.yaml': pipeline('raw_events', 'schedule: { every: 10m, catch_up: none }\n'),
      'marts/orders_mart.yaml': pipeline(
        'orders_mart',
        'depends_on:\n  - { pipeline: raw_orders }\n  - { pipeline: raw_events, on: completion }\n',
      ),
      'adhoc.yaml': pipeline('adhoc'),
    });
    const result = await runCli(['schedule', 'list', dir, '--after', '2026-03-28T12:05:00Z'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'pipeline     schedule         timezone       next fire                  depends on',
        'raw_orders   cron 30 2 * * *  Europe/Berlin  2026-03-29T03:00:00+02:00  -',
        'raw_events   every 10m        -              2026-03-28T12:10:00Z       -',
        'orders_mart  -                -              after its dependencies     raw_orders (success), raw_events (completion)',
        'adhoc        -                -              -                          -',
        '',
      ].join('\n'),
    );
    const json = await runCli(
      ['schedule', 'list', join(dir, 'project.yaml'), '--after', '2026-03-28T12:05:00Z', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { pipelines: unknown[] };
    expect(parsed.pipelines[0]).toEqual({
      pipeline: 'raw_orders',
      file: join(dir, 'raw/orders.yaml'),
      schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin', overlap: 'queue_one', catch_up: 'one' },
      nextFireAt: '2026-03-29T01:00:00Z',
      nextFireLocal: '2026-03-29T03:00:00+02:00',
      dependsOn: [],
    });
    expect(parsed.pipelines[2]).toMatchObject({
      pipeline: 'orders_mart',
      schedule: null,
      nextFireAt: null,
      dependsOn: [
        { pipeline: 'raw_orders', on: 'success' },
        { pipeline: 'raw_events', on: 'completion' },
      ],
    });
  });

  it('schedule next --after: 30 2 * * * in Europe/Berlin runs once on the spring-forward day (03:00) and once on the fall-back day (first 02:30)', async () => {
    const dir = project({
      'nightly.yaml': pipeline('nightly', 'schedule: { cron: "30 2 * * *", timezone: Europe/Berlin }\n'),
    });
    const file = join(dir, 'nightly.yaml');
    const spring = await runCli(['schedule', 'next', file, '--count', '3', '--after', '2026-03-27T12:00:00Z'], {
      timeoutMs: 60_000,
    });
    expect(spring.code, spring.stderr).toBe(0);
    expect(spring.stdout).toBe(
      [
        'nightly: cron "30 2 * * *" in Europe/Berlin, next 3 after 2026-03-27T12:00:00Z',
        '2026-03-28T02:30:00+01:00  2026-03-28T01:30:00Z',
        '2026-03-29T03:00:00+02:00  2026-03-29T01:00:00Z',
        '2026-03-30T02:30:00+02:00  2026-03-30T00:30:00Z',
        '',
      ].join('\n'),
    );
    const autumn = await runCli(
      ['schedule', 'next', file, '--count', '3', '--after', '2026-10-24T03:00:00+02:00', '--json'],
      { timeoutMs: 60_000 },
    );
    expect(autumn.code, autumn.stderr).toBe(0);
    expect(JSON.parse(autumn.stdout)).toEqual({
      pipeline: 'nightly',
      schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin', overlap: 'skip', catch_up: 'one' },
      after: '2026-10-24T01:00:00Z',
      fireTimes: [
        { at: '2026-10-25T00:30:00Z', local: '2026-10-25T02:30:00+02:00' },
        { at: '2026-10-26T01:30:00Z', local: '2026-10-26T02:30:00+01:00' },
        { at: '2026-10-27T01:30:00Z', local: '2026-10-27T02:30:00+01:00' },
      ],
    });
  });

  it('schedule next: seconds cron and every; a wrong --after, a pipeline without schedule and a scheduled CDC pipeline exit 2', async () => {
    const dir = project({
      'fast.yaml': pipeline('fast', 'schedule: { cron: "*/20 * * * * *" }\n'),
      'tick.yaml': pipeline('tick', 'schedule: { every: 90s }\n'),
      'manual.yaml': pipeline('manual'),
      'changes.yaml': pipeline('changes', 'schedule: { every: 5m }\n', 'cdc'),
    });
    const fast = await runCli(
      ['schedule', 'next', join(dir, 'fast.yaml'), '--count', '2', '--after', '2026-01-01T00:00:05Z'],
      { timeoutMs: 60_000 },
    );
    expect(fast.stdout).toBe(
      'fast: cron "*/20 * * * * *" in UTC, next 2 after 2026-01-01T00:00:05Z\n2026-01-01T00:00:20Z  2026-01-01T00:00:20Z\n2026-01-01T00:00:40Z  2026-01-01T00:00:40Z\n',
    );
    const tick = await runCli(
      ['schedule', 'next', join(dir, 'tick.yaml'), '--count', '2', '--after', '2026-01-01T00:00:00Z'],
      { timeoutMs: 60_000 },
    );
    expect(tick.stdout).toBe(
      'tick: every 90s, next 2 after 2026-01-01T00:00:00Z\n2026-01-01T00:01:30Z  2026-01-01T00:01:30Z\n2026-01-01T00:03:00Z  2026-01-01T00:03:00Z\n',
    );

    const noZone = await runCli(['schedule', 'next', join(dir, 'fast.yaml'), '--after', '2026-01-01T00:00:00'], {
      timeoutMs: 60_000,
    });
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('--after must be an ISO 8601 time with its zone');
    const manual = await runCli(['schedule', 'next', join(dir, 'manual.yaml')], { timeoutMs: 60_000 });
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain("pipeline 'manual' has no schedule");
    const cdc = await runCli(['schedule', 'next', join(dir, 'changes.yaml')], { timeoutMs: 60_000 });
    expect(cdc.code).toBe(2);
    expect(cdc.stderr).toContain(
      "changes.yaml:13:1: schedule: a pipeline with CDC streams (public.changes) cannot have a schedule: CDC is served continuously by 'rapidbyte run --follow', never started by ticks.",
    );
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue } from '../config/config-error.js';
import { findCycles } from './find-cycles.js';
import { isProjectTarget, loadProject } from './load-project.js';

const options = { env: {}, resolverFor: () => () => ({ configSchema: { type: 'object' } }) };

/** A pipeline file's text: `extra` lines are appended at the top level. */
function pipeline(name: string, extra = '', syncMode = 'full_refresh'): string {
  return `version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  streams: [{ name: public.${name}, sync_mode: ${syncMode} }]
destination: { use: dest-postgres, write_mode: upsert }
${extra}`;
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-project-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Every issue as `file:line: path: message`, files relative to `dir`. */
function report(target: string, dir = target): string[] {
  try {
    loadProject(target, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^invalid project \(\d+ issues?\):/);
    return (err as ConfigError).issues.map((i) =>
      formatConfigIssue({ ...i, file: path.relative(dir, i.file), column: undefined }),
    );
  }
  throw new Error('expected a ConfigError');
}

describe('loadProject', () => {
  it('loads every YAML file of a folder, by name, with schedules and dependencies', () => {
    const dir = project({
      'raw_orders.yaml': pipeline('raw_orders', 'schedule: { cron: "*/15 * * * *", timezone: Europe/Berlin }\n'),
      'orders_mart.yml': pipeline('orders_mart', 'depends_on: [{ pipeline: raw_orders }]\n'),
      'notes.txt': 'not a pipeline',
    });
    const loaded = loadProject(dir, options);
    expect(loaded.source).toBe(dir);
    expect(loaded.pipelines.map((p) => p.pipeline)).toEqual(['orders_mart', 'raw_orders']);
    expect(loaded.pipelines[0]?.dependsOn).toEqual([{ pipeline: 'raw_orders', on: 'success' }]);
    expect(loaded.pipelines[1]?.schedule).toMatchObject({ kind: 'cron', timezone: 'Europe/Berlin' });
  });

  it('a project file lists the pipelines relative to itself, in its order; a folder with one uses it', () => {
    const dir = project({
      'project.yaml': 'version: "1.0"\npipelines:\n  - sub/b.yaml\n  - a.yaml\n',
      'a.yaml': pipeline('a', 'depends_on: [{ pipeline: b, on: completion }]\n'),
      'sub/b.yaml': pipeline('b', 'schedule: { every: 1h }\n'),
      'ignored.yaml': 'not: a pipeline',
    });
    expect(loadProject(path.join(dir, 'project.yaml'), options).pipelines.map((p) => p.pipeline)).toEqual(['b', 'a']);
    expect(loadProject(dir, options).pipelines.map((p) => p.pipeline)).toEqual(['b', 'a']);
    expect(isProjectTarget(dir)).toBe(true);
    expect(isProjectTarget(path.join(dir, 'project.yaml'))).toBe(true);
    expect(isProjectTarget(path.join(dir, 'a.yaml'))).toBe(false);
  });

  it("reports every file's errors at once: a bad cron, an unknown dependency and a cycle in different files", () => {
    const dir = project({
      'a.yaml': pipeline('a', 'depends_on: [{ pipeline: b }]\n'),
      'b.yaml': pipeline('b', 'depends_on: [{ pipeline: c }]\n'),
      'c.yaml': pipeline('c', 'depends_on: [{ pipeline: a }]\n'),
      'd.yaml': pipeline('raw_orders', 'schedule: { cron: "0 61 2 * * *" }\nschedule_note: x\n'),
      'e.yaml': pipeline('mart', 'depends_on: [{ pipeline: raw_order }]\n'),
    });
    expect(report(dir)).toEqual([
      'a.yaml:7: depends_on[0].pipeline: dependency cycle: a → b → c → a (a: a.yaml, b: b.yaml, c: c.yaml); none of them could ever start. Remove one of these depends_on entries',
      `d.yaml:7: schedule.cron: invalid cron expression "0 61 2 * * *": minute field '61': 61 is out of range 0-59`,
      "d.yaml:8: schedule_note: unknown key 'schedule_note'; allowed keys: version, pipeline, source, transforms, destination, state, resources, schedule, depends_on, notifications, alerts",
      "e.yaml:7: depends_on[0].pipeline: unknown pipeline 'raw_order' in depends_on (did you mean 'raw_orders'?); the project's pipelines: a, b, c, raw_orders, mart",
    ]);
  });

  it('a name in two files is an error naming both; depending on a CDC pipeline is refused', () => {
    const dir = project({
      'one.yaml': pipeline('orders'),
      'two.yaml': pipeline('orders'),
      'cdc.yaml': pipeline('changes', '', 'cdc'),
      'mart.yaml': pipeline('mart', 'depends_on: [{ pipeline: changes }]\n'),
    });
    expect(report(dir)).toEqual([
      "mart.yaml:7: depends_on[0].pipeline: pipeline 'changes' (cdc.yaml) has CDC streams (public.changes): it streams continuously under 'rapidbyte run --follow' and never finishes a run, so this pipeline would never start. Depend on batch pipelines only",
      "two.yaml:2: pipeline: pipeline name 'orders' is also used by one.yaml:2; names key a pipeline's state, locks and dependencies, so each file needs its own",
    ]);
  });

  it('project file errors: a missing file, a file listed twice, a pipeline file given as the project', () => {
    const dir = project({ 'project.yaml': 'pipelines: [a.yaml, nope.yaml, a.yaml]\n', 'a.yaml': pipeline('a') });
    expect(report(path.join(dir, 'project.yaml'), dir)).toEqual([
      "project.yaml:1: pipelines[1]: no such pipeline file: nope.yaml (paths are relative to the project file's folder)",
      'project.yaml:1: pipelines[2]: a.yaml is listed twice',
    ]);
    expect(report(path.join(dir, 'a.yaml'), dir)[0]).toContain('a.yaml: this is a pipeline file, not a project');
    expect(report(project({ 'project.yaml': 'pipelines: []\n' }))[0]).toContain('project.yaml:1: pipelines: ');
    const empty = project({});
    expect(report(empty)).toEqual([': no pipeline files (*.yaml, *.yml) in this folder, and no project.yaml']);
  });
});

describe('findCycles', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('one closed path per cycle, starting at the first node in order; self-loops and unknown names left out', () => {
    expect(findCycles(['a', 'b', 'c'], graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(['x', 'a', 'b'], graph({ x: ['x', 'zz'], a: ['b'], b: ['a'] }))).toEqual([['a', 'b', 'a']]);
    expect(findCycles(['a', 'b', 'c', 'd'], graph({ a: ['b'], b: ['c'], c: [], d: ['a'] }))).toEqual([]);
    const two = findCycles(['a', 'b', 'c', 'd'], graph({ a: ['b'], b: ['a'], c: ['d'], d: ['c'] }));
    expect(two).toHaveLength(2);
    expect(two).toContainEqual(['c', 'd', 'c']);
  });

  it('a component with a shortcut still gives a path that closes', () => {
    const [cycle] = findCycles(['a', 'b', 'c'], graph({ a: ['b'], b: ['c', 'a'], c: ['a'] }));
    expect(cycle?.[0]).toBe('a');
    expect(cycle?.at(-1)).toBe('a');
  });
});

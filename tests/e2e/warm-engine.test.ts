// The warm engine (the library API `serve` runs scheduled runs with): the second and later runs of
// a pipeline run on the workers the first one started, with the components it compiled; a
// connector whose files changed is never run from the kept modules; idle pipelines let go.
import { statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// the engine from its build (its stream workers are the built `.js` files); the config loader from
// the sources (the build's precompiled validators are made for Node, not for the test runner)
import { loadPipelineConfig, type PipelineConfig } from '../../packages/engine/src/config/index.js';
import {
  ConnectorRegistry,
  WarmEngine,
  openStateStore,
  type RunEvent,
  type StateStore,
} from '../../packages/engine/dist/index.js';
import { databaseScope, expectTablesEqual, pgPipeline, testPg, writePipelineDoc } from '../support/e2e.js';

const cluster = testPg();
const databases = databaseScope(cluster);
afterAll(() => databases.dropAll());

const DDL = `CREATE TABLE public.items (id int PRIMARY KEY, name text);
INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, 500) g;
CREATE TABLE public.other (id int PRIMARY KEY, v numeric);
INSERT INTO public.other SELECT g, g / 7.0 FROM generate_series(1, 300) g;`;

function load(file: string): { config: PipelineConfig; registry: ConnectorRegistry } {
  const registry = new ConnectorRegistry(dirname(file));
  const config = loadPipelineConfig(file, {
    env: {},
    resolveConnector: (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema, endpointFields: found.manifest.endpointFields } : undefined;
    },
  });
  return { config, registry };
}

/** The "runs on stream worker N (its task K)" lines of a run, as `N/K` per stream. */
function workerTasks(events: readonly RunEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'log' || e.stream === undefined) continue;
    const m = /runs on stream worker (\d+) \(its task (\d+)\)/.exec(e.message);
    if (m) out.set(e.stream, `${m[1]}/${m[2]}`);
  }
  return out;
}

describe('warm engine', () => {
  it('runs a pipeline again on the workers its first run started, with equal tables each time; a changed connector gets fresh workers', async () => {
    const src = await databases.create('warm_src', DDL);
    const dst = await databases.create('warm_dst');
    const file = writePipelineDoc(
      pgPipeline({
        name: 'warm_items',
        src,
        dst,
        streams: [
          { name: 'public.items', sync_mode: 'full_refresh' },
          { name: 'public.other', sync_mode: 'full_refresh' },
        ],
        writeMode: 'replace',
        resources: { parallelism: 1 },
      }),
    );
    const { config, registry } = load(file);
    const state: StateStore = await openStateStore(config.state);
    const engine = new WarmEngine();
    const run = async (): Promise<{ status: string; tasks: Map<string, string> }> => {
      const events: RunEvent[] = [];
      const result = await engine.run(config, { registry, state, onEvent: (e) => events.push(e) });
      return { status: result.status, tasks: workerTasks(events) };
    };
    try {
      const first = await run();
      expect(first.status).toBe('succeeded');
      // parallelism 1: both streams ran one after the other on worker 1 (tasks 1 and 2)
      expect([...first.tasks.values()].sort()).toEqual(['1/1', '1/2']);
      await expectTablesEqual(src, 'public.items', dst, 'public.items', { rows: 500 });

      await cluster.psql(src.name, `UPDATE public.items SET name = name || ' v2' WHERE id % 3 = 0`);
      const second = await run();
      expect(second.status).toBe('succeeded');
      // the same worker, its third and fourth task: nothing was started again
      expect([...second.tasks.values()].sort()).toEqual(['1/3', '1/4']);
      await expectTablesEqual(src, 'public.items', dst, 'public.items', { rows: 500 });
      await expectTablesEqual(src, 'public.other', dst, 'public.other', { rows: 300 });
      expect(engine.pipelines).toEqual(['warm_items']);

      // the destination connector "upgraded" in place (its bindings' time changes): fresh workers
      const bindings = join(registry.resolve('dest-postgres')?.bindingsDir ?? '', 'connector.js');
      const { atime, mtime } = statSync(bindings);
      try {
        utimesSync(bindings, atime, new Date(mtime.getTime() + 1000));
        const third = await run();
        expect(third.status).toBe('succeeded');
        expect([...third.tasks.values()].sort()).toEqual(['1/1', '1/2']);
      } finally {
        utimesSync(bindings, atime, mtime);
      }
    } finally {
      await engine.close();
      await state.close();
    }
    expect(engine.pipelines).toEqual([]);
  });

  it('lets an idle pipeline go after idleMs and starts it afresh at its next run', async () => {
    const src = await databases.create('warm_idle_src', DDL);
    const dst = await databases.create('warm_idle_dst');
    const file = writePipelineDoc(
      pgPipeline({
        name: 'warm_idle',
        src,
        dst,
        streams: [{ name: 'public.other', sync_mode: 'full_refresh' }],
        writeMode: 'replace',
      }),
    );
    const { config, registry } = load(file);
    const state: StateStore = await openStateStore(config.state);
    const engine = new WarmEngine({ idleMs: 200 });
    try {
      const events: RunEvent[] = [];
      expect((await engine.run(config, { registry, state, onEvent: (e) => events.push(e) })).status).toBe('succeeded');
      expect(engine.pipelines).toEqual(['warm_idle']);
      const deadline = Date.now() + 10_000;
      while (engine.pipelines.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(engine.pipelines).toEqual([]);
      events.length = 0;
      expect((await engine.run(config, { registry, state, onEvent: (e) => events.push(e) })).status).toBe('succeeded');
      expect([...workerTasks(events).values()]).toEqual(['1/1']);
      await expectTablesEqual(src, 'public.other', dst, 'public.other', { rows: 300 });
    } finally {
      await engine.close();
      await state.close();
    }
  });
});

// Parallel streams (see docs/architecture.md#threads): at `parallelism: 2`, three streams run two at a time — their recorded
// start/end times overlap pairwise, never all three — and every destination table equals its source.
import { afterAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(() => scope.dropAll());

interface Timed {
  stream: string;
  status: string;
  startedAt: string;
  finishedAt: string;
}

/** The largest number of streams running at one instant. */
function maxConcurrency(streams: readonly Timed[]): number {
  const events = streams.flatMap((s) => [
    { at: Date.parse(s.startedAt), d: 1 },
    { at: Date.parse(s.finishedAt), d: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (now += e.d));
  return max;
}

describe('parallel streams', () => {
  it('three streams at parallelism 2 overlap two at a time, never three', async () => {
    const tables = ['p1', 'p2', 'p3'];
    const src = await scope.create(
      'par_src',
      tables
        .map(
          (t) =>
            `CREATE TABLE public.${t} (id int PRIMARY KEY, v text); INSERT INTO public.${t} SELECT g, repeat('x', 100) FROM generate_series(1, 150000) g;`,
        )
        .join('\n'),
    );
    const dst = await scope.create('par_dst');
    const file = writePipeline(`version: "1.0"
pipeline: par
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${tables.map((t) => `    - { name: public.${t}, sync_mode: full_refresh }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { parallelism: 2 }
`);
    const result = await runCli(['run', '--json', file]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { streams: Timed[] };
    expect(json.streams.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(maxConcurrency(json.streams)).toBe(2);
    for (const t of tables) {
      const diff = await cluster.compareTables(src.url, t, dst.url, t);
      expect(diff.onlyInSource).toEqual([]);
      expect(diff.onlyInDestination).toEqual([]);
    }
  });
});

// Many small tables (see docs/architecture.md#threads): a pattern stream over tables of different
// shapes runs on a few pooled workers that take stream after stream and hand their connector
// instances on, and every destination table still equals its source — a worker or instance that
// carried anything of one stream into the next (schema, key, types, frames) would break one. An
// attempt that failed never hands its worker to the retry.
import { afterAll, describe, expect, it } from 'vitest';
import { pgEndpoint, runCli, writePipeline } from '../support/run-cli.js';
import { testPg } from '../support/test-pg.js';
import { databaseScope } from '../support/database-scope.js';

const cluster = testPg();
const scope = databaseScope(cluster);
afterAll(() => scope.dropAll());

/** `attempt N runs on stream worker W (its task T)` debug lines of a JSON log, per stream. */
function workerLines(stderr: string): { stream: string; attempt: number; worker: number; task: number; at: number }[] {
  return stderr.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const entry = JSON.parse(line) as { stream?: string; message?: string; time?: string };
    const m = /^attempt (\d+) runs on stream worker (\d+) \(its task (\d+)\)$/.exec(entry.message ?? '');
    return m && entry.stream
      ? [
          {
            stream: entry.stream,
            attempt: Number(m[1]),
            worker: Number(m[2]),
            task: Number(m[3]),
            at: Date.parse(entry.time ?? ''),
          },
        ]
      : [];
  });
}

/** Five table shapes, cycled: keys, types and column counts differ from one stream to the next. */
const SHAPES = [
  (t: string) =>
    `CREATE TABLE public.${t} (id int PRIMARY KEY, a text); INSERT INTO public.${t} SELECT g, 'a' || g FROM generate_series(1, 40) g;`,
  (t: string) =>
    `CREATE TABLE public.${t} (id bigint PRIMARY KEY, n numeric(30,8), j jsonb, ts timestamptz); INSERT INTO public.${t} SELECT g, g * 1.5, jsonb_build_object('g', g), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' FROM generate_series(1, 70) g;`,
  (t: string) =>
    `CREATE TABLE public.${t} (k text PRIMARY KEY, d date[], f double precision); INSERT INTO public.${t} SELECT 'k' || g, ARRAY[date '2020-01-01' + g], g / 3.0 FROM generate_series(1, 25) g;`,
  (t: string) =>
    `CREATE TABLE public.${t} (a int, b int, v text, PRIMARY KEY (a, b)); INSERT INTO public.${t} SELECT g % 7, g, NULL FROM generate_series(1, 55) g;`,
  (t: string) => `CREATE TABLE public.${t} (id int PRIMARY KEY, u uuid, b bytea);`,
];

describe('many tables on shared workers', () => {
  it('a pattern over 15 tables of five shapes runs on a few reused workers and instances, every table equal', async () => {
    const tables = Array.from({ length: 15 }, (_, i) => `mt_${String(i + 1).padStart(2, '0')}`);
    const src = await scope.create('mt_src', tables.map((t, i) => SHAPES[i % SHAPES.length]?.(t) ?? '').join('\n'));
    const dst = await scope.create('mt_dst');
    const file = writePipeline(`version: "1.0"
pipeline: many_tables
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: "public.mt_*", sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { parallelism: 1 }
`);
    // twice: the second run replaces every table again on workers and instances the first streams used
    for (const round of [1, 2]) {
      const result = await runCli(['run', '--json', '--log-level', 'debug', '--log-format', 'json', file]);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as { streams: { stream: string; status: string; rowsWritten: number }[] };
      expect(json.streams.map((s) => s.status)).toEqual(tables.map(() => 'succeeded'));
      const lines = workerLines(result.stderr);
      expect(lines.map((l) => l.stream).sort(), `round ${round}`).toEqual(tables.map((t) => `public.${t}`));
      const workers = new Set(lines.map((l) => l.worker));
      // parallelism 1: one stream after the other, on the run's worker(s)
      expect(workers.size).toBeLessThanOrEqual(4);
      expect(Math.max(...lines.map((l) => l.task))).toBeGreaterThanOrEqual(4);
      for (const t of tables) {
        const diff = await cluster.compareTables(src.url, t, dst.url, t);
        expect(diff.onlyInSource, `${t} round ${round}`).toEqual([]);
        expect(diff.onlyInDestination, `${t} round ${round}`).toEqual([]);
      }
    }
    // each destination table has its own source's primary key (no key carried over from another shape)
    const keys = await cluster.query(
      dst.name,
      `SELECT c.relname AS t, string_agg(a.attname, ',' ORDER BY a.attnum) AS k FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
       WHERE i.indisprimary AND c.relname LIKE 'mt\\_%' GROUP BY c.relname ORDER BY 1`,
    );
    expect(keys.rows.map((r: { k: string }) => r.k)).toEqual(
      tables.map((_, i) => ['id', 'id', 'k', 'a,b', 'id'][i % SHAPES.length]),
    );
  });

  it('RAPIDBYTE_LIGHT_STREAMS=4: small tables share a permit, four at a time; a large one runs alone at parallelism 1', async () => {
    const small = Array.from({ length: 12 }, (_, i) => `lt_${String(i + 1).padStart(2, '0')}`);
    const src = await scope.create(
      'mt_light_src',
      [
        // ~9 MB on disk: more than a light stream's 4 MiB
        `CREATE TABLE public.lt_big (id int PRIMARY KEY, v text); INSERT INTO public.lt_big SELECT g, repeat('x', 120) FROM generate_series(1, 60000) g;`,
        ...small.map(
          (t) =>
            `CREATE TABLE public.${t} (id int PRIMARY KEY, v text); INSERT INTO public.${t} SELECT g, 'v' || g FROM generate_series(1, 20) g;`,
        ),
      ].join('\n'),
    );
    const dst = await scope.create('mt_light_dst');
    const file = writePipeline(`version: "1.0"
pipeline: many_tables_light
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: "public.lt_*", sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { parallelism: 1 }
`);
    // light streams are off by default: four per permit here
    const result = await runCli(['run', '--json', file], { env: { RAPIDBYTE_LIGHT_STREAMS: '4' } });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      streams: { stream: string; status: string; startedAt: string; finishedAt: string }[];
    };
    const span = (s: { startedAt: string; finishedAt: string }): [number, number] => [
      Date.parse(s.startedAt),
      Date.parse(s.finishedAt),
    ];
    const big = json.streams.find((s) => s.stream === 'public.lt_big');
    const others = json.streams.filter((s) => s.stream !== 'public.lt_big');
    expect(big?.status).toBe('succeeded');
    const [b0, b1] = span(big as { startedAt: string; finishedAt: string });
    // the large table holds the whole permit: no stream runs beside it
    expect(others.filter((s) => span(s)[0] < b1 && span(s)[1] > b0).map((s) => s.stream)).toEqual([]);
    // the small ones overlap, at most four at once
    const events = others.flatMap((s) => [
      { at: span(s)[0], d: 1 },
      { at: span(s)[1], d: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.d - b.d);
    let now = 0;
    let peak = 0;
    for (const e of events) peak = Math.max(peak, (now += e.d));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    for (const t of ['lt_big', ...small]) {
      const diff = await cluster.compareTables(src.url, t, dst.url, t);
      expect(diff.onlyInSource, t).toEqual([]);
      expect(diff.onlyInDestination, t).toEqual([]);
    }
  });

  it('a stream whose attempt stalled is restarted on another worker, and its worker takes no further stream', async () => {
    const tables = ['ra', 'rb', 'rc', 'rd'];
    const src = await scope.create(
      'mt_retry_src',
      tables
        .map(
          (t) =>
            `CREATE TABLE public.${t} (id int PRIMARY KEY, v text); INSERT INTO public.${t} SELECT g, 'v' || g FROM generate_series(1, 30) g;`,
        )
        .join('\n'),
    );
    const dst = await scope.create('mt_retry_dst');
    const file = writePipeline(`version: "1.0"
pipeline: many_tables_retry
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
${tables.map((t) => `    - { name: public.${t}, sync_mode: full_refresh }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
resources: { parallelism: 1, stall_timeout: 3s }
`);
    const result = await runCli(['run', '--json', '--log-level', 'debug', '--log-format', 'json', file], {
      env: { RAPIDBYTE_TEST_FAULT: 'block-source:public.rb:1' },
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = workerLines(result.stderr);
    const rb = lines.filter((l) => l.stream === 'public.rb');
    expect(rb.map((l) => l.attempt)).toEqual([1, 2]);
    const [first, second] = rb;
    // the stalled attempt's worker was ended: the restart and every later stream run on other workers
    expect(second?.worker).not.toBe(first?.worker);
    expect(lines.filter((l) => l.worker === first?.worker && l.at > (second?.at ?? 0))).toEqual([]);
    for (const t of tables) {
      const diff = await cluster.compareTables(src.url, t, dst.url, t);
      expect(diff.onlyInSource, t).toEqual([]);
      expect(diff.onlyInDestination, t).toEqual([]);
    }
  });
});

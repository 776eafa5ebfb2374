// Start-up benchmark: the fixed cost of a run. `rapidbyte run` (replace, full refresh) of a table of
// a few rows (default 1), wall time, CPU seconds and peak RSS per run, medians of R rounds. Each round
// runs every variant once, interleaved (the machine's speed drifts): `all on` is the default
// build, every other variant turns one start-up switch off (or all of them), so each switch's
// saving is its variant's median minus `all on`'s.
// Usage: node bench/run.mjs --scenario startup [--rows 1] [--rounds 7] [--cli path/to/cli/main.js]
//        [--variant 'name:ENV=value,ENV2=value' ...] (replaces the default variants)
// `node bench/run.mjs --rows 1` (no --scenario) runs this scenario too.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { startPgCluster } from '../tests/support/pg-cluster.mjs';
import { tail, timedRun } from './timed-run.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DEFAULT_CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
const DDL = `CREATE TABLE bench (id bigint PRIMARY KEY, name text, email text, amount numeric(12,2),
  score double precision, active boolean, created_at timestamptz, payload jsonb)`;

/** The start-up switches (each defaults to on; the value turns it off). */
const SWITCHES = {
  bundle: 'RAPIDBYTE_BUNDLE=off',
  'resume gate': 'RAPIDBYTE_RESUME_GATE=always',
  'tls memo': 'RAPIDBYTE_TLS_MEMO=off',
  'schema cache': 'RAPIDBYTE_SCHEMA_CACHE=off',
  'early compile': 'RAPIDBYTE_EARLY_COMPILE=off',
  navigator: 'RAPIDBYTE_NODE_NAVIGATOR=off',
  'warm worker': 'RAPIDBYTE_WARM_WORKER=off',
  'warm preload': 'RAPIDBYTE_WARM_PRELOAD=off',
  'lazy commands': 'RAPIDBYTE_LAZY_COMMANDS=off',
  'lazy wasm validation': 'RAPIDBYTE_WASM_LAZY_VALIDATION=off',
  'precompiled schemas': 'RAPIDBYTE_PRECOMPILED_SCHEMAS=off',
};

/** @returns {{ name: string, env: Record<string, string> }[]} */
function defaultVariants() {
  const envOf = (/** @type {string[]} */ pairs) => Object.fromEntries(pairs.map((p) => p.split('=')));
  return [
    { name: 'all on', env: {} },
    ...Object.entries(SWITCHES).map(([name, pair]) => ({ name: `${name} off`, env: envOf([pair]) })),
    { name: 'all off', env: envOf(Object.values(SWITCHES)) },
  ];
}

/** @param {string} spec `name:ENV=value,ENV2=value` */
function parseVariant(spec) {
  const at = spec.indexOf(':');
  const name = at < 0 ? spec : spec.slice(0, at);
  const pairs =
    at < 0
      ? []
      : spec
          .slice(at + 1)
          .split(',')
          .filter(Boolean);
  return { name, env: Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function startupBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '7' },
      cli: { type: 'string', default: DEFAULT_CLI },
      variant: { type: 'string', multiple: true },
    },
  });
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  const variants = values.variant?.length ? values.variant.map(parseVariant) : defaultVariants();
  if (!existsSync(values.cli)) {
    console.error(`${values.cli} not found: run pnpm build`);
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-startup-'));
  const cluster = await startPgCluster({ log: true });
  try {
    for (const db of ['src', 'rb']) await cluster.createDatabase(db);
    await cluster.psql(
      'src',
      `${DDL};
      INSERT INTO bench SELECT g, 'name ' || g, 'user' || g || '@example.com', g / 100.0, g * 0.37, g % 2 = 0,
        timestamptz '2024-01-01 00:00:00+00', jsonb_build_object('id', g) FROM generate_series(1, ${rows}) AS g;`,
    );
    const file = join(work, 'startup.yaml');
    writeFileSync(
      file,
      YAML.stringify({
        version: '1.0',
        pipeline: 'bench_startup',
        source: {
          use: 'source-postgres',
          config: { url: cluster.url('src') },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          streams: [{ name: 'public.bench', sync_mode: 'full_refresh' }],
        },
        destination: {
          use: 'dest-postgres',
          config: { url: cluster.url('rb'), schema: 'public' },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          write_mode: 'replace',
        },
        state: { backend: 'sqlite', connection: join(work, 'startup.db') },
      }),
    );
    // one unmeasured run: the OS file cache holds the CLI, the components and the state DB after it
    timedRun([process.execPath, values.cli, 'run', file], { workDir: work, label: 'warm-up', cwd: REPO });
    /** @type {Record<string, { wall: number, cpu?: number, rss?: number }[]>} */
    const results = Object.fromEntries(variants.map((v) => [v.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const v of variants) {
        const r = timedRun([process.execPath, values.cli, 'run', file], {
          workDir: work,
          label: `${v.name.replace(/[^a-z0-9]+/gi, '-')}-${round}`,
          cwd: REPO,
          env: { ...process.env, ...v.env },
        });
        if (r.status !== 0) {
          console.error(`round ${round} ${v.name}: exit ${r.status}\n${tail(r.logFile)}`);
          return 1;
        }
        results[v.name]?.push({ wall: r.wallSeconds, cpu: r.cpuSeconds, rss: r.peakRssMb });
        console.log(
          `round ${round} ${v.name.padEnd(18)} ${r.wallSeconds.toFixed(2)} s wall, ${r.cpuSeconds?.toFixed(2) ?? '-'} s CPU, ${r.peakRssMb?.toFixed(0) ?? '-'} MB`,
        );
      }
    }
    const fmt = (/** @type {number} */ x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    const summary = variants.map((v) => {
      const ms = results[v.name] ?? [];
      return {
        variant: v.name,
        env: v.env,
        medianWallSeconds: median(ms.map((m) => m.wall)),
        medianCpuSeconds: median(ms.flatMap((m) => (m.cpu === undefined ? [] : [m.cpu]))),
        medianPeakRssMb: median(ms.flatMap((m) => (m.rss === undefined ? [] : [m.rss]))),
      };
    });
    const base = summary[0];
    console.log(`\nstart-up: replace of ${rows} row(s), ${rounds} rounds interleaved, ${cpus().length} CPUs (medians)`);
    console.log(
      [
        'variant'.padEnd(20),
        ...['wall s', 'vs first', 'CPU s', 'vs first', 'peak RSS MB'].map((h) => h.padStart(12)),
      ].join(''),
    );
    for (const s of summary) {
      console.log(
        [
          s.variant.padEnd(20),
          ...[
            fmt(s.medianWallSeconds),
            fmt(s.medianWallSeconds - (base?.medianWallSeconds ?? NaN)),
            fmt(s.medianCpuSeconds),
            fmt(s.medianCpuSeconds - (base?.medianCpuSeconds ?? NaN)),
            fmt(s.medianPeakRssMb, 0),
          ].map((c) => c.padStart(12)),
        ].join(''),
      );
    }
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `startup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          scenario: 'startup',
          rows,
          rounds,
          cpus: cpus().length,
          node: process.version,
          summary,
          results,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nresults written to ${out}`);
    return 0;
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

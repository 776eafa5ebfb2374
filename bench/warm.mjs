// Warm-engine benchmark: one process keeps a `WarmEngine` (the library API `serve` uses) and runs
// the same full-refresh pipeline again and again; each run is timed (wall, and the process's CPU)
// against the `psql COPY (FORMAT binary)` pipe and a one-shot `rapidbyte run`, measured in the same
// cluster in the same round.
// Usage: node bench/run.mjs --scenario warm [--rows 1000000] [--runs 4] [--rounds 3] [--mode replace|append]
//        (`--rows 1` measures what a warm run still pays as fixed cost)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { startPgCluster } from '../tests/support/pg-cluster.mjs';
import { tableDigest } from '../tests/support/table-compare.mjs';
import { COLUMNS, DDL, fillSql, median, sh } from './full-refresh.mjs';
import { timedRun } from './timed-run.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const ENGINE = join(REPO, 'packages', 'engine', 'dist', 'index.js');
const CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
const fmt = (/** @type {number} */ x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function warmBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
      mode: { type: 'string', default: 'replace' },
    },
  });
  const rows = Number(values.rows);
  const runs = Math.max(2, Number(values.runs));
  const rounds = Number(values.rounds);
  const mode = values.mode;
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-warm-'));
  const cluster = await startPgCluster({ log: true });
  try {
    for (const db of ['src', 'dst', 'rb']) await cluster.createDatabase(db);
    console.log(`preparing ${rows} rows in src (PostgreSQL on port ${cluster.port}) ...`);
    await cluster.psql('src', `${DDL};\n${fillSql(rows)};`);
    await cluster.psql('dst', `${DDL};`);
    const expected = await tableDigest(cluster.url('src'), 'public.bench', 'id', { columns: COLUMNS });
    const file = join(work, 'warm.yaml');
    writeFileSync(
      file,
      YAML.stringify({
        version: '1.0',
        pipeline: 'bench_warm',
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
          write_mode: mode,
        },
        state: { backend: 'sqlite', connection: join(work, 'warm.db') },
      }),
    );
    const psql = `${sh(join(cluster.bindir, 'psql'))} -X -q -h ${cluster.host} -p ${cluster.port} -U ${cluster.superuser}`;
    const reset = () =>
      cluster.query('rb', 'DROP TABLE IF EXISTS public.bench; DROP TABLE IF EXISTS public._rb_watermarks');
    /** @type {{ round: number, pipe: number, oneShot: number, oneShotCpu?: number, warm: { wall: number, cpu: number }[] }[]} */
    const measured = [];
    for (let round = 1; round <= rounds; round++) {
      await cluster.query('dst', 'TRUNCATE bench');
      await cluster.query('postgres', 'CHECKPOINT');
      const pipe = timedRun(
        [
          'bash',
          '-c',
          `set -o pipefail; ${psql} -d src -c 'COPY bench TO STDOUT (FORMAT binary)' | ${psql} -d dst -c 'COPY bench FROM STDIN (FORMAT binary)'`,
        ],
        { workDir: work, label: `pipe-${round}` },
      );
      await reset();
      await cluster.query('postgres', 'CHECKPOINT');
      const oneShot = timedRun([process.execPath, CLI, 'run', file], {
        workDir: work,
        label: `one-shot-${round}`,
        cwd: REPO,
      });
      if (oneShot.status !== 0) throw new Error(`one-shot run failed: see ${oneShot.logFile}`);
      await reset();
      await cluster.query('postgres', 'CHECKPOINT');
      // the driver truncates nothing between its runs: a replace run replaces, an append run appends
      // into a table that the driver empties through the callback below (outside the timing)
      const driver = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--driver', file, String(runs), mode, cluster.url('rb')],
        {
          cwd: REPO,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      if (driver.status !== 0) throw new Error(`warm driver failed (exit ${driver.status}): ${driver.stdout}`);
      const warm = JSON.parse(driver.stdout.trim().split('\n').at(-1) ?? '[]');
      const got = await tableDigest(cluster.url('rb'), 'public.bench', 'id', { columns: COLUMNS });
      if (got.rows !== expected.rows || got.md5 !== expected.md5)
        throw new Error(
          `destination differs after the warm runs: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`,
        );
      measured.push({
        round,
        pipe: pipe.wallSeconds,
        oneShot: oneShot.wallSeconds,
        oneShotCpu: oneShot.cpuSeconds,
        warm,
      });
      console.log(
        `round ${round}: pipe ${fmt(pipe.wallSeconds)} s, one-shot run ${fmt(oneShot.wallSeconds)} s, warm runs ${warm.map((/** @type {{wall: number}} */ w) => fmt(w.wall)).join(' / ')} s`,
      );
    }
    const later = measured.flatMap((m) => m.warm.slice(1).map((w) => ({ ...w, pipe: m.pipe })));
    const summary = {
      rows,
      mode,
      runsPerRound: runs,
      rounds,
      pipeMedianSeconds: median(measured.map((m) => m.pipe)),
      oneShotMedianSeconds: median(measured.map((m) => m.oneShot)),
      oneShotRatio: median(measured.map((m) => m.oneShot / m.pipe)),
      oneShotMedianCpuSeconds: median(measured.flatMap((m) => (m.oneShotCpu === undefined ? [] : [m.oneShotCpu]))),
      firstWarmRunMedianSeconds: median(measured.map((m) => m.warm[0]?.wall ?? NaN)),
      laterWarmRunsMedianSeconds: median(later.map((w) => w.wall)),
      laterWarmRunsRatio: median(later.map((w) => w.wall / w.pipe)),
      laterWarmRunsMedianCpuSeconds: median(later.map((w) => w.cpu)),
    };
    console.log(`\n${rows} rows, write_mode ${mode}, ${rounds} rounds × ${runs} warm runs, ${cpus().length} CPUs`);
    console.log(`psql binary pipe            ${fmt(summary.pipeMedianSeconds)} s`);
    console.log(
      `rapidbyte run (one-shot)    ${fmt(summary.oneShotMedianSeconds)} s  ${fmt(summary.oneShotRatio)}× pipe  ${fmt(summary.oneShotMedianCpuSeconds)} CPU-s`,
    );
    console.log(`warm engine, first run      ${fmt(summary.firstWarmRunMedianSeconds)} s`);
    console.log(
      `warm engine, later runs     ${fmt(summary.laterWarmRunsMedianSeconds)} s  ${fmt(summary.laterWarmRunsRatio)}× pipe  ${fmt(summary.laterWarmRunsMedianCpuSeconds)} CPU-s (process)`,
    );
    const out = join(REPO, 'bench', 'results', `warm-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      out,
      `${JSON.stringify({ date: new Date().toISOString(), scenario: 'warm', cpus: cpus().length, node: process.version, summary, measured }, null, 2)}\n`,
    );
    console.log(`results: ${out}`);
    return 0;
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The driver (its own process, so the measured CPU is the engine's): loads the pipeline once and
 * runs it `runs` times on one warm engine; prints `[{ wall, cpu }]` as its last line.
 * @param {string} file @param {number} runs @param {string} mode @param {string} rbUrl
 */
async function driver(file, runs, mode, rbUrl) {
  const engine = await import(pathToFileURL(ENGINE).href);
  const pg = (await import('pg')).default;
  const registry = new engine.ConnectorRegistry(dirname(file));
  const config = engine.loadPipelineConfig(file, {
    env: process.env,
    resolveConnector: (/** @type {string} */ use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema, endpointFields: found.manifest.endpointFields } : undefined;
    },
  });
  const state = await engine.openStateStore(config.state);
  const warm = new engine.WarmEngine();
  /** @type {{ wall: number, cpu: number }[]} */
  const timings = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (mode !== 'replace' && i > 0) {
        const client = new pg.Client({ connectionString: rbUrl });
        await client.connect();
        await client.query('DROP TABLE IF EXISTS public.bench; DROP TABLE IF EXISTS public._rb_watermarks');
        await client.end();
      }
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const result = await warm.run(config, { registry, state, fullRefresh: true });
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      if (result.status !== 'succeeded') throw new Error(`warm run ${i + 1}: ${result.status}`);
      timings.push({ wall, cpu: (used.user + used.system) / 1e6 });
    }
  } finally {
    await warm.close();
    await state.close();
  }
  process.stdout.write(`${JSON.stringify(timings)}\n`);
}

if (process.argv[2] === '--driver') {
  const [file, runs, mode, rbUrl] = process.argv.slice(3);
  await driver(file ?? '', Number(runs), mode ?? 'replace', rbUrl ?? '');
}

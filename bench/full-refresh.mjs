// Full-refresh benchmark: rapidbyte source-postgres -> dest-postgres against the practical ceiling,
// `psql COPY (FORMAT binary) | psql COPY FROM`, on the canonical table (docs/architecture.md#benchmarks), in one
// throwaway cluster, rounds interleaved.
// Usage: node bench/run.mjs [--rows N] [--rounds R] [--cli path/to/cli/main.js (default: this checkout's build)]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { startPgCluster } from '../tests/support/pg-cluster.mjs';
import { tableDigest } from '../tests/support/table-compare.mjs';
import { tail, timedRun } from './timed-run.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DEFAULT_CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
/** Key-range shards of the sharded rows (each its own chain, `parallelism` as many). */
const SHARDS = 2;
export const COLUMNS = ['id', 'name', 'email', 'amount', 'score', 'active', 'created_at', 'payload'];
export const DDL = `CREATE TABLE bench (id bigint PRIMARY KEY, name text, email text, amount numeric(12,2),
  score double precision, active boolean, created_at timestamptz, payload jsonb)`;

/** @param {number} rows */
export const fillSql = (rows) => `INSERT INTO bench
  SELECT g, 'name ' || g, 'user' || g || '@example.com', (g % 1000000) / 100.0, g * 0.37, g % 2 = 0,
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second 1 microsecond',
         jsonb_build_object('id', g, 'tags', jsonb_build_array('a', g % 7), 'note', md5(g::text))
    FROM generate_series(1, ${rows}) AS g;
  VACUUM ANALYZE bench`;

/** @param {string} s */
export const sh = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
/** @param {number[]} xs */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * @typedef {{ round: number, wallSeconds: number, cpuSeconds?: number, peakRssMb?: number, ok: boolean, error?: string }} Measurement
 */

/** @param {string[]} args CLI arguments @returns {Promise<number>} exit code */
export async function fullRefreshBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1000000' },
      rounds: { type: 'string', default: '3' },
      cli: { type: 'string', default: DEFAULT_CLI },
    },
  });
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-'));
  const cluster = await startPgCluster({ log: true });
  try {
    return await benchInCluster(cluster, { rows, rounds, work, cli: values.cli });
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * @param {import('../tests/support/pg-cluster.mjs').PgCluster} cluster
 * @param {{ rows: number, rounds: number, work: string, cli: string }} options
 */
async function benchInCluster(cluster, { rows, rounds, work, cli }) {
  for (const db of ['src', 'dst', 'rb']) await cluster.createDatabase(db);
  console.log(`preparing ${rows} rows in src (PostgreSQL on port ${cluster.port}) ...`);
  await cluster.psql('src', `${DDL};\n${fillSql(rows)};`);
  await cluster.psql('dst', `${DDL};`);
  const psql = `${sh(join(cluster.bindir, 'psql'))} -X -q -h ${cluster.host} -p ${cluster.port} -U ${cluster.superuser}`;
  const size = timedRun(
    ['bash', '-c', `set -o pipefail; ${psql} -d src -c 'COPY bench TO STDOUT (FORMAT binary)' | wc -c`],
    { workDir: work, label: 'size' },
  );
  const copyBytes = Number(tail(size.logFile, 1));
  const expected = await tableDigest(cluster.url('src'), 'public.bench', 'id', { columns: COLUMNS });
  console.log(`COPY binary size ${(copyBytes / 1e6).toFixed(1)} MB; source digest ${expected.md5}`);

  /** @param {string} name @param {'replace' | 'append' | 'upsert'} writeMode @param {number} [shards] key-range shards (parallelism follows) */
  const pipelineFile = (name, writeMode, shards = 1) => {
    const file = join(work, `${name}.yaml`);
    writeFileSync(
      file,
      YAML.stringify({
        version: '1.0',
        pipeline: `bench_${name}`,
        source: {
          use: 'source-postgres',
          config: { url: cluster.url('src') },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          streams: [{ name: 'public.bench', sync_mode: 'full_refresh', shards }],
        },
        destination: {
          use: 'dest-postgres',
          config: { url: cluster.url('rb'), schema: 'public' },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          write_mode: writeMode,
        },
        state: { backend: 'sqlite', connection: join(work, `${name}.db`) },
        ...(shards > 1 ? { resources: { parallelism: shards } } : {}),
      }),
    );
    return file;
  };
  const bin = (/** @type {string} */ name) => sh(join(cluster.bindir, name));
  const conn = (/** @type {string} */ db) => `-h ${cluster.host} -p ${cluster.port} -U ${cluster.superuser} -d ${db}`;
  /** @type {{ tool: string, prepare: () => Promise<void>, argv: string[], check: () => Promise<string | undefined> }[]} */
  const tools = [];
  const countIn = async (/** @type {string} */ db) =>
    Number((await cluster.query(db, 'SELECT count(*) AS n FROM bench')).rows[0].n);
  const digestIn = async () => {
    const got = await tableDigest(cluster.url('rb'), 'public.bench', 'id', { columns: COLUMNS });
    return got.rows === expected.rows && got.md5 === expected.md5
      ? undefined
      : `destination differs: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`;
  };
  tools.push({
    tool: 'psql binary pipe',
    prepare: async () => {
      await cluster.query('dst', 'TRUNCATE bench');
    },
    argv: [
      'bash',
      '-c',
      `set -o pipefail; ${psql} -d src -c 'COPY bench TO STDOUT (FORMAT binary)' | ${psql} -d dst -c 'COPY bench FROM STDIN (FORMAT binary)'`,
    ],
    check: async () => ((await countIn('dst')) === rows ? undefined : 'row count differs'),
  });
  tools.push({
    tool: 'pg_dump | psql',
    prepare: async () => {
      await cluster.query('dst', 'DROP TABLE IF EXISTS bench');
    },
    argv: [
      'bash',
      '-c',
      `set -o pipefail; ${bin('pg_dump')} ${conn('src')} -t public.bench --no-owner --no-privileges | ${bin('psql')} -X -q -v ON_ERROR_STOP=1 ${conn('dst')} >/dev/null`,
    ],
    check: async () => ((await countIn('dst')) === rows ? undefined : 'row count differs'),
  });
  const installed = (/** @type {string} */ tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status === 0;
  const pgUrl = (/** @type {string} */ scheme, /** @type {string} */ db) =>
    `${scheme}://${cluster.superuser}@${cluster.host}:${cluster.port}/${db}`;
  if (installed('pgcopydb')) {
    // data only, into the existing table (like rapidbyte append); it runs VACUUM ANALYZE on the target afterwards
    const dir = join(work, 'pgcopydb');
    tools.push({
      tool: 'pgcopydb table-data',
      prepare: async () => {
        await cluster.query('dst', 'TRUNCATE bench');
      },
      argv: [
        'bash',
        '-c',
        `rm -rf ${sh(dir)} && pgcopydb copy table-data --source ${sh(pgUrl('postgres', 'src'))} --target ${sh(pgUrl('postgres', 'dst'))} --dir ${sh(dir)}`,
      ],
      check: async () => ((await countIn('dst')) === rows ? undefined : 'row count differs'),
    });
  } else console.log('pgcopydb not installed: skipped');
  if (installed('pgloader')) {
    // schema, data and indexes (like pg_dump | psql); with its default 100k prefetched rows it ran
    // out of its 1 GB heap at 1M rows of this table
    tools.push({
      tool: 'pgloader',
      prepare: async () => {
        await cluster.query('dst', 'DROP TABLE IF EXISTS bench');
      },
      argv: [
        'pgloader',
        '--no-ssl-cert-verification',
        '--with',
        'prefetch rows = 10000',
        pgUrl('pgsql', 'src'),
        pgUrl('pgsql', 'dst'),
      ],
      check: async () => ((await countIn('dst')) === rows ? undefined : 'row count differs'),
    });
  } else console.log('pgloader not installed: skipped');
  if (existsSync(cli)) {
    /** @type {[('replace' | 'append' | 'upsert'), number][]} */
    const runs = [
      ['replace', 1],
      ['append', 1],
      ['upsert', 1],
      ['append', SHARDS],
      ['upsert', SHARDS],
    ];
    for (const [mode, shards] of runs) {
      const name = shards > 1 ? `${mode}-${shards}-shards` : mode;
      const file = pipelineFile(name, mode, shards);
      tools.push({
        tool: shards > 1 ? `rapidbyte ${mode} ${shards} shards` : `rapidbyte ${mode}`,
        prepare: async () => {
          await cluster.query(
            'rb',
            mode === 'upsert'
              ? 'DROP TABLE IF EXISTS public.bench; DROP TABLE IF EXISTS public._rb_watermarks'
              : 'DROP TABLE IF EXISTS public.bench; DROP TABLE IF EXISTS public._rb_watermarks',
          );
        },
        argv: [process.execPath, cli, 'run', file],
        check: digestIn,
      });
    }
  } else console.log(`${cli} not found: run pnpm build (rapidbyte skipped)`);

  /** @type {Record<string, Measurement[]>} */
  const results = Object.fromEntries(tools.map((t) => [t.tool, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const t of tools) {
      await t.prepare();
      await cluster.query('postgres', 'CHECKPOINT');
      const r = timedRun(t.argv, {
        workDir: work,
        label: `${t.tool.replace(/[^a-z0-9]+/gi, '-')}-${round}`,
        cwd: REPO,
      });
      const error = r.status === 0 ? await t.check() : undefined;
      results[t.tool]?.push(measurement(round, r, error));
      report(t.tool, round, results[t.tool]?.at(-1));
    }
  }
  const firstBatch = existsSync(cli)
    ? await firstBatchProbe(cluster, cli, pipelineFile('first-batch', 'append'), rounds)
    : [];
  return summarize(results, rows, rounds, copyBytes, firstBatch);
}

/**
 * Time from starting `rapidbyte run` (append into a missing table) to the first rows arriving at
 * the destination: the first moment `pg_stat_progress_copy` shows the destination's COPY FROM
 * with tuples processed, polled every 10 ms. Once per round; seconds.
 * @param {import('../tests/support/pg-cluster.mjs').PgCluster} cluster @param {string} cli @param {string} file @param {number} rounds
 */
async function firstBatchProbe(cluster, cli, file, rounds) {
  const { spawn } = await import('node:child_process');
  /** @type {number[]} */
  const seconds = [];
  for (let round = 1; round <= rounds; round++) {
    await cluster.query('rb', 'DROP TABLE IF EXISTS public.bench; DROP TABLE IF EXISTS public._rb_watermarks');
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'run', file], { stdio: 'ignore', cwd: REPO });
    const exited = new Promise((resolve) => child.on('close', resolve));
    let seen;
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done && seen === undefined) {
      const r = await cluster.query(
        'postgres',
        "SELECT 1 FROM pg_stat_progress_copy p JOIN pg_database d ON d.oid = p.datid WHERE d.datname = 'rb' AND p.command = 'COPY FROM' AND p.tuples_processed > 0",
      );
      if (r.rows.length > 0) seen = Number(process.hrtime.bigint() - started) / 1e9;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await exited;
    if (seen !== undefined) seconds.push(seen);
    console.log(
      `round ${round} first batch at the destination: ${seen === undefined ? 'not seen' : `${seen.toFixed(2)} s`}`,
    );
  }
  return seconds;
}

/** @param {number} round @param {import('./timed-run.mjs').TimedResult} r @param {string | undefined} error @returns {Measurement} */
function measurement(round, r, error) {
  const failed = error ?? (r.status === 0 ? undefined : `exit ${r.status}:\n${tail(r.logFile)}`);
  return {
    round,
    wallSeconds: r.wallSeconds,
    cpuSeconds: r.cpuSeconds,
    peakRssMb: r.peakRssMb,
    ok: !failed,
    ...(failed ? { error: failed } : {}),
  };
}

/** @param {string} tool @param {number} round @param {Measurement | undefined} m */
function report(tool, round, m) {
  if (!m) return;
  console.log(`round ${round} ${tool.padEnd(26)} ${m.ok ? `${m.wallSeconds.toFixed(2)} s` : `FAILED: ${m.error}`}`);
}

/**
 * @param {Record<string, Measurement[]>} results
 * @param {number} rows @param {number} rounds @param {number} copyBytes @param {number[]} firstBatch
 */
function summarize(results, rows, rounds, copyBytes, firstBatch) {
  const pipe = results['psql binary pipe'] ?? [];
  const summary = Object.entries(results).map(([tool, ms]) => {
    const ok = ms.filter((m) => m.ok);
    const wall = median(ok.map((m) => m.wallSeconds));
    const cpu = median(ok.flatMap((m) => (m.cpuSeconds === undefined ? [] : [m.cpuSeconds])));
    const rss = Math.max(...ok.map((m) => m.peakRssMb ?? NaN));
    // each round against the pipe of the same round (the machine's speed drifts), then the median
    const ratios = ok.flatMap((m) => {
      const p = pipe.find((x) => x.round === m.round && x.ok);
      return p ? [m.wallSeconds / p.wallSeconds] : [];
    });
    return {
      tool,
      okRounds: ok.length,
      medianWallSeconds: wall,
      rowsPerSecond: rows / wall,
      mbPerSecond: copyBytes / 1e6 / wall,
      medianCpuSeconds: cpu,
      peakRssMb: rss,
      ratiosToPipe: ratios,
      ratioToPipe: median(ratios),
    };
  });
  const fmt = (/** @type {number} */ x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(
    `\n${rows} rows, ${(copyBytes / 1e6).toFixed(1)} MB COPY binary, ${rounds} rounds, ${cpus().length} CPUs`,
  );
  console.log(
    [
      'tool'.padEnd(26),
      ...['ok', 'median wall s', 'rows/s', 'MB/s', 'CPU s', 'peak RSS MB', 'x pipe (median)', 'x pipe per round'].map(
        (h) => h.padStart(17),
      ),
    ].join(''),
  );
  for (const s of summary) {
    console.log(
      [
        s.tool.padEnd(26),
        ...[
          `${s.okRounds}/${rounds}`,
          fmt(s.medianWallSeconds),
          fmt(s.rowsPerSecond, 0),
          fmt(s.mbPerSecond, 1),
          fmt(s.medianCpuSeconds),
          fmt(s.peakRssMb, 0),
          fmt(s.ratioToPipe),
          s.ratiosToPipe.map((r) => fmt(r)).join(' '),
        ].map((c) => c.padStart(17)),
      ].join(''),
    );
  }
  if (firstBatch.length > 0)
    console.log(
      `rapidbyte append: first rows at the destination ${fmt(median(firstBatch))} s after start (median of ${firstBatch.map((x) => fmt(x)).join(', ')})`,
    );
  console.log(
    'CPU s: user+sys of the tool\'s process tree (the Postgres servers are not included); "N shards": one stream split into N key-range chains reading one exported snapshot',
  );
  const dir = join(REPO, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        rows,
        rounds,
        copyBytes,
        cpus: cpus().length,
        node: process.version,
        summary,
        results,
        firstBatchSeconds: firstBatch,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nresults written to ${file}`);
  return summary.every((s) => s.okRounds === rounds) ? 0 : 1;
}

// Many-tables benchmark: the per-stream cost of a run. N small tables (canonical bench schema, R rows
// each) selected by one pattern stream (`public.t*`), loaded by `rapidbyte run`, against
// `pg_dump -t 'public.t*' | psql` of the same schema measured in the same round.
//   full_refresh (default): replace into an empty destination each round.
//   --mode cdc: cdc × upsert. One unmeasured-by-median first run snapshots every table and creates the
//   slot (its wall, CPU and peak RSS are reported as `snapshot`); then each round applies `--updates`
//   single-row UPDATEs per table at the source and times the one-shot run that applies them.
// Each round also runs the same pipeline over one table (`public.t0001`): the per-stream overhead is
// (wall(N) − wall(1)) / (N − 1), the same for CPU seconds. Every round checks the destination equals
// the source (row count and md5 of every table).
// Usage: node bench/run.mjs --scenario tables [--tables 200] [--rows 100] [--mode full_refresh|cdc]
//        [--updates 10] [--repeat 3] [--cli path/to/cli/main.js] [--env NAME=value ...]
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
const COLUMNS_DDL = `(id bigint PRIMARY KEY, name text, email text, amount numeric(12,2),
  score double precision, active boolean, created_at timestamptz, payload jsonb)`;

/** @param {number} i */
const tableName = (i) => `t${String(i).padStart(4, '0')}`;

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** @param {string} s */
const sh = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function tablesBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      tables: { type: 'string', default: '200' },
      rows: { type: 'string', default: '100' },
      mode: { type: 'string', default: 'full_refresh' },
      updates: { type: 'string', default: '10' },
      repeat: { type: 'string', default: '3' },
      rounds: { type: 'string' },
      cli: { type: 'string', default: DEFAULT_CLI },
      env: { type: 'string', multiple: true },
      label: { type: 'string', default: '' },
    },
  });
  const tables = Number(values.tables);
  const rows = Number(values.rows);
  const updates = Number(values.updates);
  const repeat = Number(values.rounds ?? values.repeat);
  const mode = values.mode === 'cdc' ? 'cdc' : values.mode === 'full_refresh' ? 'full_refresh' : undefined;
  if (!mode) {
    console.error(`--mode ${values.mode}: expected full_refresh or cdc`);
    return 2;
  }
  if (!(tables >= 2) || !(rows >= 1) || !(repeat >= 1)) {
    console.error('--tables must be ≥ 2, --rows and --repeat ≥ 1');
    return 2;
  }
  if (!existsSync(values.cli)) {
    console.error(`${values.cli} not found: run pnpm build`);
    return 1;
  }
  const extraEnv = Object.fromEntries(
    (values.env ?? []).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
  const env = { ...process.env, ...extraEnv };
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-tables-'));
  const cluster = await startPgCluster({ log: true });
  try {
    for (const db of ['src', 'rb', 'one', 'dump']) await cluster.createDatabase(db);
    const names = Array.from({ length: tables }, (_, i) => tableName(i + 1));
    // one statement per table in one script: the source is built in seconds even for 1,000 tables
    await cluster.psql(
      'src',
      names
        .map(
          (t) => `CREATE TABLE ${t} ${COLUMNS_DDL};
INSERT INTO ${t} SELECT g, 'name ' || g, 'user' || g || '@example.com', g / 100.0, g * 0.37, g % 2 = 0,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', jsonb_build_object('id', g, 't', '${t}')
  FROM generate_series(1, ${rows}) AS g;`,
        )
        .join('\n'),
    );
    await cluster.psql('src', 'ANALYZE;');
    const pipeline = (/** @type {string} */ name, /** @type {string} */ stream, /** @type {string} */ db) => {
      const file = join(work, `${name}.yaml`);
      writeFileSync(
        file,
        YAML.stringify({
          version: '1.0',
          pipeline: name,
          source: {
            use: 'source-postgres',
            config: { url: cluster.url('src') },
            permissions: { network: { allowed_hosts: [cluster.host] } },
            streams: [{ name: stream, sync_mode: mode }],
          },
          destination: {
            use: 'dest-postgres',
            config: { url: cluster.url(db), schema: 'public' },
            permissions: { network: { allowed_hosts: [cluster.host] } },
            write_mode: mode === 'cdc' ? 'upsert' : 'replace',
          },
          state: { backend: 'sqlite', connection: join(work, `${name}.db`) },
        }),
      );
      return file;
    };
    const many = pipeline('bench_tables', 'public.t*', 'rb');
    const one = pipeline('bench_tables_one', `public.${names[0]}`, 'one');
    const conn = (/** @type {string} */ db) => `-h ${cluster.host} -p ${cluster.port} -U ${cluster.superuser} -d ${db}`;
    const bin = (/** @type {string} */ name) => sh(join(cluster.bindir, name));
    const dumpArgv = [
      'bash',
      '-c',
      `set -o pipefail; ${bin('pg_dump')} ${conn('src')} -t 'public.t*' --no-owner --no-privileges | ${bin('psql')} -X -q -v ON_ERROR_STOP=1 ${conn('dump')} >/dev/null`,
    ];
    /** Every table's count and md5 in one query, keyed by table. */
    const digests = async (/** @type {string} */ db, /** @type {string[]} */ list) => {
      const sql = list
        .map(
          (t) =>
            `SELECT '${t}' AS t, count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) AS h FROM (SELECT id, name, email, amount, score, active, created_at, payload FROM ${t}) x`,
        )
        .join(' UNION ALL ');
      const res = await cluster.query(db, sql);
      return new Map(res.rows.map((r) => [r.t, `${r.n}:${r.h}`]));
    };
    const equal = async (/** @type {string} */ db, /** @type {string[]} */ list) => {
      const [want, got] = await Promise.all([digests('src', list), digests(db, list)]);
      const bad = list.filter((t) => want.get(t) !== got.get(t));
      return bad.length === 0 ? undefined : `${bad.length} table(s) differ, first ${bad[0]}`;
    };
    const dropAll = async (/** @type {string} */ db) => {
      await cluster.query(db, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    };
    const run = (/** @type {string} */ file, /** @type {string} */ label) => {
      const r = timedRun([process.execPath, values.cli, 'run', file], { workDir: work, label, cwd: REPO, env });
      if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${tail(r.logFile)}`);
      return { wall: r.wallSeconds, cpu: r.cpuSeconds ?? NaN, rss: r.peakRssMb ?? NaN };
    };
    let updateSeq = 0;
    const applyUpdates = async () => {
      updateSeq += 1;
      // `updates` single-row UPDATE statements per table, each its own transaction
      const sql = names
        .flatMap((t) =>
          Array.from(
            { length: updates },
            (_, k) => `UPDATE ${t} SET score = score + 1, name = 'u${updateSeq}-${k}' WHERE id = ${(k % rows) + 1};`,
          ),
        )
        .join('\n');
      await cluster.psql('src', sql);
      await cluster.psql('src', `UPDATE ${names[0]} SET email = 'one${updateSeq}' WHERE id = 1;`);
    };

    /** @type {Record<string, { wall: number, cpu: number, rss: number }[]>} */
    const results = { rapidbyte: [], 'one table': [], 'pg_dump | psql': [] };
    /** @type {{ wall: number, cpu: number, rss: number } | undefined} */
    let snapshot;
    /** @type {{ wall: number, cpu: number, rss: number } | undefined} */
    let snapshotOne;
    if (mode === 'cdc') {
      snapshot = run(many, 'snapshot');
      snapshotOne = run(one, 'snapshot-one');
      const diff = (await equal('rb', names)) ?? (await equal('one', [names[0] ?? '']));
      if (diff) throw new Error(`after the snapshot: ${diff}`);
      console.log(
        `snapshot of ${tables} tables: ${snapshot.wall.toFixed(2)} s wall, ${snapshot.cpu.toFixed(2)} s CPU, ${snapshot.rss.toFixed(0)} MB peak RSS`,
      );
    } else {
      // one unmeasured run: the OS file cache holds the CLI, the components and the state DB after it
      run(one, 'warm-up');
    }
    for (let round = 1; round <= repeat; round++) {
      if (mode === 'cdc') await applyUpdates();
      else await Promise.all([dropAll('rb'), dropAll('one')]);
      const m = run(many, `many-${round}`);
      const o = run(one, `one-${round}`);
      const diff = (await equal('rb', names)) ?? (await equal('one', [names[0] ?? '']));
      if (diff) throw new Error(`round ${round}: ${diff}`);
      await dropAll('dump');
      const d = timedRun(dumpArgv, { workDir: work, label: `dump-${round}` });
      if (d.status !== 0) throw new Error(`pg_dump | psql: exit ${d.status}\n${tail(d.logFile)}`);
      const dd = { wall: d.wallSeconds, cpu: d.cpuSeconds ?? NaN, rss: d.peakRssMb ?? NaN };
      const dumpDiff = await equal('dump', names);
      if (dumpDiff) throw new Error(`pg_dump | psql round ${round}: ${dumpDiff}`);
      results.rapidbyte?.push(m);
      results['one table']?.push(o);
      results['pg_dump | psql']?.push(dd);
      const line = (/** @type {string} */ n, /** @type {{ wall: number, cpu: number, rss: number }} */ x) =>
        `${n} ${x.wall.toFixed(2)} s wall, ${x.cpu.toFixed(2)} s CPU, ${x.rss.toFixed(0)} MB`;
      console.log(
        `round ${round}: ${line(`rapidbyte ${tables} tables`, m)} | ${line('1 table', o)} | ${line('pg_dump | psql', dd)}`,
      );
    }
    const med = (/** @type {string} */ k, /** @type {'wall' | 'cpu' | 'rss'} */ f) =>
      median((results[k] ?? []).map((x) => x[f]));
    const summary = {
      rapidbyte: { wall: med('rapidbyte', 'wall'), cpu: med('rapidbyte', 'cpu'), rss: med('rapidbyte', 'rss') },
      oneTable: { wall: med('one table', 'wall'), cpu: med('one table', 'cpu'), rss: med('one table', 'rss') },
      pgDump: { wall: med('pg_dump | psql', 'wall'), cpu: med('pg_dump | psql', 'cpu') },
      perStream: {
        wall: median(
          (results.rapidbyte ?? []).map((m, i) => (m.wall - (results['one table']?.[i]?.wall ?? NaN)) / (tables - 1)),
        ),
        cpu: median(
          (results.rapidbyte ?? []).map((m, i) => (m.cpu - (results['one table']?.[i]?.cpu ?? NaN)) / (tables - 1)),
        ),
      },
      ...(snapshot ? { snapshot, snapshotOne } : {}),
    };
    const what = mode === 'cdc' ? `one-shot cdc run applying ${updates} updates per table` : 'replace (full refresh)';
    console.log(
      `\n${tables} tables × ${rows} rows, ${what}, ${repeat} round(s), ${cpus().length} CPUs${values.label ? `, ${values.label}` : ''} (medians)`,
    );
    console.log(
      `rapidbyte        ${summary.rapidbyte.wall.toFixed(2)} s wall, ${summary.rapidbyte.cpu.toFixed(2)} CPU-s, peak RSS ${summary.rapidbyte.rss.toFixed(0)} MB`,
    );
    console.log(
      `one table        ${summary.oneTable.wall.toFixed(2)} s wall, ${summary.oneTable.cpu.toFixed(2)} CPU-s, peak RSS ${summary.oneTable.rss.toFixed(0)} MB`,
    );
    console.log(
      `per stream       ${(summary.perStream.wall * 1000).toFixed(1)} ms wall, ${(summary.perStream.cpu * 1000).toFixed(1)} CPU-ms`,
    );
    console.log(
      `pg_dump | psql   ${summary.pgDump.wall.toFixed(2)} s wall, ${summary.pgDump.cpu.toFixed(2)} CPU-s (rapidbyte ${(summary.rapidbyte.wall / summary.pgDump.wall).toFixed(1)}× its wall)`,
    );
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `tables-${mode}-${tables}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          scenario: 'tables',
          label: values.label,
          mode,
          tables,
          rows,
          ...(mode === 'cdc' ? { updates } : {}),
          repeat,
          env: extraEnv,
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

// Cluster overhead: the same small pipeline (3 tables of N rows, replace) run locally (`rapidbyte
// run`) and on 2 workers (`rapidbyte run --cluster`), interleaved, medians of R rounds; plus the
// job start latency of each cluster run: submit → coordinator started, and submit → first chain
// started (from the DBOS workflow rows and the cluster's chain rows in the state DB).
// Usage: node bench/run.mjs --scenario cluster [--rows 1000] [--rounds 5] [--cli path/to/cli/main.js]
import { spawn } from 'node:child_process';
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
const TABLES = ['t1', 't2', 't3'];

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function clusterBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '5' },
      cli: { type: 'string', default: DEFAULT_CLI },
    },
  });
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  if (!existsSync(values.cli)) {
    console.error(`${values.cli} not found: run pnpm build`);
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-cluster-'));
  const cluster = await startPgCluster({ log: true });
  /** @type {import('node:child_process').ChildProcess[]} */
  const workers = [];
  try {
    for (const db of ['src', 'dst_local', 'dst_cluster', 'state']) await cluster.createDatabase(db);
    await cluster.psql(
      'src',
      TABLES.map(
        (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, name text, amount numeric(12,2));
          INSERT INTO ${t} SELECT g, 'name ' || g, g / 100.0 FROM generate_series(1, ${rows}) g;`,
      ).join('\n'),
    );
    const pipeline = (/** @type {string} */ name, /** @type {string} */ dst) => {
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
            streams: TABLES.map((t) => ({ name: `public.${t}`, sync_mode: 'full_refresh' })),
          },
          destination: {
            use: 'dest-postgres',
            config: { url: cluster.url(dst), schema: 'public' },
            permissions: { network: { allowed_hosts: [cluster.host] } },
            write_mode: 'replace',
          },
          resources: { parallelism: 3 },
          state: { backend: 'postgres', connection: cluster.url('state') },
        }),
      );
      return file;
    };
    const local = pipeline('bench_local', 'dst_local');
    const onCluster = pipeline('bench_cluster', 'dst_cluster');
    for (const id of ['w1', 'w2']) {
      const w = spawn(
        process.execPath,
        [values.cli, 'worker', '--state', cluster.url('state'), '--worker-id', id, '--slots', '2'],
        {
          cwd: REPO,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      workers.push(w);
      await new Promise((resolve, reject) => {
        let said = '';
        w.stderr?.on('data', (d) => {
          said += String(d);
          if (said.includes(`worker ${id} ready`)) resolve(undefined);
        });
        w.on('exit', (code) => reject(new Error(`worker ${id} exited ${code}: ${said}`)));
      });
    }
    // one unmeasured run of each: the OS file cache holds the CLI and the components after it
    for (const [label, argv] of [
      ['warm-local', ['run', local]],
      ['warm-cluster', ['run', '--cluster', onCluster]],
    ])
      timedRun([process.execPath, values.cli, ...argv], { workDir: work, label, cwd: REPO });
    /** @type {{ local: number[], cluster: number[], toCoordinator: number[], toFirstChain: number[] }} */
    const results = { local: [], cluster: [], toCoordinator: [], toFirstChain: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const mode of /** @type {const} */ (['local', 'cluster'])) {
        const argv = mode === 'local' ? ['run', local] : ['run', '--cluster', onCluster];
        const r = timedRun([process.execPath, values.cli, ...argv], {
          workDir: work,
          label: `${mode}-${round}`,
          cwd: REPO,
        });
        if (r.status !== 0) {
          console.error(`round ${round} ${mode}: exit ${r.status}\n${tail(r.logFile)}`);
          return 1;
        }
        results[mode].push(r.wallSeconds);
      }
      const latest = await cluster.query(
        'state',
        `SELECT w.created_at::float8 AS submitted, w.started_at_epoch_ms::float8 AS coordinator,
           (SELECT EXTRACT(EPOCH FROM min(c.started_at)) * 1000 FROM rapidbyte.cluster_chains c
             WHERE c.pipeline = 'bench_cluster' AND c.run_id = (SELECT max(run_id) FROM rapidbyte.runs WHERE pipeline = 'bench_cluster'))::float8 AS chain
         FROM rapidbyte_dbos.workflow_status w WHERE w.workflow_uuid LIKE 'run:bench_cluster:%' ORDER BY w.created_at DESC LIMIT 1`,
      );
      const row = latest.rows[0];
      results.toCoordinator.push((row.coordinator - row.submitted) / 1000);
      results.toFirstChain.push((row.chain - row.submitted) / 1000);
      console.log(
        `round ${round}: local ${results.local.at(-1)?.toFixed(2)} s, cluster ${results.cluster.at(-1)?.toFixed(2)} s; submit → coordinator ${results.toCoordinator.at(-1)?.toFixed(3)} s, → first chain ${results.toFirstChain.at(-1)?.toFixed(3)} s`,
      );
    }
    const summary = {
      medianLocalWallSeconds: median(results.local),
      medianClusterWallSeconds: median(results.cluster),
      medianSubmitToCoordinatorSeconds: median(results.toCoordinator),
      medianSubmitToFirstChainSeconds: median(results.toFirstChain),
    };
    console.log(
      `\ncluster overhead: 3 tables × ${rows} rows, replace, 2 workers × 2 slots, ${rounds} rounds, ${cpus().length} CPUs (medians)`,
    );
    console.log(JSON.stringify(summary, null, 2));
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      out,
      `${JSON.stringify({ date: new Date().toISOString(), scenario: 'cluster', rows, rounds, cpus: cpus().length, node: process.version, summary, results }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${out}`);
    return 0;
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

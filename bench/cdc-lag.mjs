// CDC lag benchmark: a `rapidbyte run --follow` CDC stream (cdc × upsert) while a load generator
// commits changes at a steady rate (default 10,000 changes/s: small transactions every 10 ms, 80%
// inserts, 20% updates of earlier rows). Lag is the age of the oldest source transaction the
// destination does not show yet, sampled every 100 ms; reported as p50 / p95 / max, with the
// rate achieved, the changes applied per second, engine CPU and peak RSS (from /proc), and after
// SIGINT the destination is compared with the source (count and digest).
// Usage: node bench/run.mjs --scenario cdc-lag [--rate N] [--duration S] [--cli path/to/cli/main.js]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import YAML from 'yaml';
import { startPgCluster } from '../tests/support/pg-cluster.mjs';
import { tableDigest } from '../tests/support/table-compare.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DEFAULT_CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
const TICK_MS = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** CPU seconds (user+sys, threads included) and peak RSS (MB) of a live process. @param {number} pid */
function processUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / 100, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
}

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function cdcLagBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: 'string', default: '10000' },
      duration: { type: 'string', default: '30' },
      cli: { type: 'string', default: DEFAULT_CLI },
    },
  });
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-lag-'));
  const cluster = await startPgCluster({ log: true });
  let follower;
  try {
    for (const db of ['src', 'rb']) await cluster.createDatabase(db);
    await cluster.psql(
      'src',
      `CREATE TABLE events (id bigint PRIMARY KEY, payload text, n int NOT NULL DEFAULT 0); INSERT INTO events VALUES (0, 'seed', 0);`,
    );
    const yamlFile = join(work, 'lag.yaml');
    writeFileSync(
      yamlFile,
      YAML.stringify({
        version: '1.0',
        pipeline: 'bench_lag',
        source: {
          use: 'source-postgres',
          config: { url: cluster.url('src') },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          streams: [{ name: 'public.events', sync_mode: 'cdc' }],
        },
        destination: {
          use: 'dest-postgres',
          config: { url: cluster.url('rb') },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          write_mode: 'upsert',
        },
        state: { backend: 'sqlite', connection: join(work, 'state.db') },
      }),
    );
    const started = performance.now();
    follower = spawn(process.execPath, [values.cli, 'run', '--follow', '--json', yamlFile], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    follower.stdout.on('data', (d) => (output += d));
    follower.stderr.on('data', (d) => (output += d));
    const dst = new pg.Client({ connectionString: cluster.url('rb') });
    const src = new pg.Client({ connectionString: cluster.url('src') });
    await Promise.all([dst.connect(), src.connect()]);
    // first batch: the seed row (snapshot) visible at the destination
    let firstBatchSeconds = NaN;
    for (;;) {
      const r = await dst.query(`SELECT count(*)::int AS n FROM events`).catch(() => undefined);
      if (r && r.rows[0].n > 0) {
        firstBatchSeconds = (performance.now() - started) / 1000;
        break;
      }
      if (follower.exitCode !== null) throw new Error(`follower exited ${follower.exitCode}:\n${output.slice(-3000)}`);
      if (performance.now() - started > 60_000) throw new Error('no snapshot after 60 s');
      await sleep(50);
    }
    console.log(
      `snapshot visible ${firstBatchSeconds.toFixed(2)} s after start; generating ${rate} changes/s for ${duration} s`,
    );
    /** committed transactions: [last id, commit time ms] */
    const commits = [];
    let nextId = 1;
    let changes = 0;
    let generating = true;
    const generator = (async () => {
      const t0 = performance.now();
      for (let tick = 0; generating; tick++) {
        const due = t0 + tick * TICK_MS;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() - t0 > duration * 1000) break;
        const inserts = Math.max(1, Math.round(perTick * 0.8));
        const updates = perTick - inserts;
        const first = nextId;
        nextId += inserts;
        // one transaction: the inserts, then updates of earlier rows; `n` tracks the update count
        await src.query(`WITH i AS (INSERT INTO events SELECT g, md5(g::text) FROM generate_series(${first}, ${nextId - 1}) g RETURNING 1)
          UPDATE events SET n = n + 1 WHERE id IN (SELECT (random() * ${Math.max(1, first - 1)})::bigint FROM generate_series(1, ${updates}))`);
        changes += perTick;
        commits.push([nextId - 1, performance.now()]);
      }
    })();
    const lags = [];
    const genStart = performance.now();
    while (generating) {
      await sleep(100);
      const r = await dst.query(`SELECT coalesce(max(id), 0)::bigint AS m FROM events`);
      const now = performance.now();
      const applied = Number(r.rows[0].m);
      const pending = commits.find(([last]) => last > applied);
      lags.push(pending ? (now - pending[1]) / 1000 : 0);
      if (now - genStart > duration * 1000) generating = false;
    }
    await generator;
    const genSeconds = (performance.now() - genStart) / 1000;
    // catch up, then stop the follower with SIGINT (it drains, commits and exits 0)
    const lastId = nextId - 1;
    const catchStart = performance.now();
    for (;;) {
      const r = await dst.query(`SELECT coalesce(max(id), 0)::bigint AS m FROM events`);
      if (Number(r.rows[0].m) >= lastId) break;
      if (performance.now() - catchStart > 120_000) throw new Error('destination did not catch up within 120 s');
      await sleep(50);
    }
    const catchUpSeconds = (performance.now() - catchStart) / 1000;
    // the updates of the last transactions may still be in flight: wait for equal digests
    let digestsEqual = false;
    for (let i = 0; i < 100 && !digestsEqual; i++) {
      const a = await tableDigest(cluster.url('src'), 'public.events', 'id');
      const b = await tableDigest(cluster.url('rb'), 'public.events', 'id');
      digestsEqual = a.rows === b.rows && a.md5 === b.md5;
      if (!digestsEqual) await sleep(100);
    }
    const usage = processUsage(follower.pid);
    follower.kill('SIGINT');
    const code = await new Promise((resolve) => follower.on('exit', (c) => resolve(c)));
    await Promise.all([dst.end(), src.end()]);
    const result = {
      scenario: 'cdc-lag',
      targetRate: rate,
      achievedRate: changes / genSeconds,
      durationSeconds: genSeconds,
      changes,
      firstBatchSeconds,
      lagSeconds: { p50: quantile(lags, 0.5), p95: quantile(lags, 0.95), max: Math.max(...lags), samples: lags.length },
      catchUpSeconds,
      engineCpuSeconds: usage.cpuSeconds,
      enginePeakRssMb: usage.peakRssMb,
      followerExit: code,
      destinationEqualsSource: digestsEqual,
    };
    console.log(
      `CDC lag at ${rate} changes/s target (${result.achievedRate.toFixed(0)} achieved) for ${genSeconds.toFixed(1)} s, ${changes} changes:`,
    );
    console.log(
      `  lag p50 ${result.lagSeconds.p50.toFixed(3)} s, p95 ${result.lagSeconds.p95.toFixed(3)} s, max ${result.lagSeconds.max.toFixed(3)} s (${lags.length} samples every 100 ms)`,
    );
    console.log(
      `  caught up ${catchUpSeconds.toFixed(2)} s after the load stopped; snapshot visible ${firstBatchSeconds.toFixed(2)} s after start`,
    );
    console.log(
      `  engine CPU ${usage.cpuSeconds.toFixed(2)} s, peak RSS ${usage.peakRssMb.toFixed(0)} MB; follower exit ${code}; destination equals source: ${digestsEqual}`,
    );
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cdc-lag-${new Date().toISOString().replaceAll(':', '-').replace('.', '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results written to ${file}`);
    return digestsEqual && code === 0 ? 0 : 1;
  } finally {
    if (follower && follower.exitCode === null) follower.kill('SIGKILL');
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

// Soak: `rapidbyte run --follow` over several CDC streams (cdc × upsert) under a steady write load
// for M minutes, sampling the follower's RSS, the slot's lag and the destination's row counts; at
// the end the load stops, the follower catches up and every table is compared with the source
// (EXCEPT both ways), then SIGINT stops the follower. Not part of `pnpm test`.
//
//   pnpm soak [--minutes M] [--rate N] [--streams K] [--sample S] [--warmup W] [--cli path] [--node-option F]…
//
// Defaults: 30 minutes, 2,000 changes/s (small transactions every 10 ms, 80% inserts, 20% updates
// of earlier rows, round-robin over the streams' tables), 4 streams, a sample every 15 s, warm-up
// 5 minutes. Verdict (exit 0 only if all hold): every table equal, the follower exited 0 on
// SIGINT, the last lag sample no larger than 10× the median lag sample plus 1 MiB (bounded, not
// growing), and every RSS sample after the warm-up within ±10% of their median (judged only with
// at least 3 minutes of samples past the warm-up; a shorter run fails that part). The follower
// runs at --log-level debug: each thread's periodic `memory` line (V8 heap, external memory, each
// guest's linear memory) is printed and kept. The series, the memory lines and the verdict go to
// bench/results/soak-<time>.json. --node-option passes a flag to the follower's node (e.g.
// --heapsnapshot-signal=SIGUSR2); the environment is passed on (e.g. MALLOC_ARENA_MAX=2).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import YAML from 'yaml';
import { startPgCluster } from '../tests/support/pg-cluster.mjs';
import { compareTables } from '../tests/support/table-compare.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const DEFAULT_CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
const TICK_MS = 10;
/** Minutes of samples past the warm-up the RSS verdict needs. */
const JUDGED_MINUTES = 3;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};

/** Least-squares slope of y over x. @param {[number, number][]} points */
function slope(points) {
  if (points.length < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}

/**
 * Each guest's linear memory (it never shrinks) at the first `memory` line after the warm-up and
 * at the last, from the workers' debug lines.
 * @param {{ atSeconds: number; thread: string; line: string }[]} memory
 */
function guestGrowth(memory, warmupSeconds) {
  /** @type {Map<string, { thread: string; stage: string; firstMb?: number; lastMb: number; hostAllocatedMb: number }>} */
  const byGuest = new Map();
  for (const m of memory) {
    for (const g of m.line.matchAll(/(\S+) linear ([\d.]+) MiB \(host-allocated ([\d.]+)/g)) {
      const key = `${m.thread} ${g[1]}`;
      const entry = byGuest.get(key) ?? {
        thread: m.thread.replace(/ engine$/, ''),
        stage: g[1],
        lastMb: 0,
        hostAllocatedMb: 0,
      };
      if (m.atSeconds >= warmupSeconds) entry.firstMb ??= Number(g[2]);
      entry.lastMb = Number(g[2]);
      entry.hostAllocatedMb = Number(g[3]);
      byGuest.set(key, entry);
    }
  }
  return [...byGuest.values()].map((e) => ({ ...e, firstMb: e.firstMb ?? e.lastMb }));
}

/** Resident set size of a live process in MiB (threads included: one address space). @param {number} pid */
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '30' },
      rate: { type: 'string', default: '2000' },
      streams: { type: 'string', default: '4' },
      sample: { type: 'string', default: '15' },
      warmup: { type: 'string' },
      cli: { type: 'string', default: DEFAULT_CLI },
      'node-option': { type: 'string', multiple: true, default: [] },
    },
  });
  const number = (key, min) => {
    const v = Number(values[key]);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${key} needs a number ≥ ${min}, got ${values[key]}`);
    return v;
  };
  const minutes = number('minutes', 0.1);
  return {
    minutes,
    rate: number('rate', 1),
    streams: Math.floor(number('streams', 1)),
    sampleSeconds: number('sample', 1),
    warmupMinutes: values.warmup === undefined ? 5 : number('warmup', 0),
    cli: values.cli,
    nodeOptions: values['node-option'],
  };
}

async function main() {
  const o = options(process.argv.slice(2));
  const tables = Array.from({ length: o.streams }, (_, i) => `ev${i + 1}`);
  const perTick = Math.max(1, Math.round((o.rate * TICK_MS) / 1000));
  const work = mkdtempSync(join(tmpdir(), 'rb-soak-'));
  const cluster = await startPgCluster({ log: true });
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let follower;
  /** @type {pg.Client[]} */
  const clients = [];
  try {
    for (const db of ['src', 'rb']) await cluster.createDatabase(db);
    await cluster.psql(
      'src',
      tables
        .map(
          (t) =>
            `CREATE TABLE ${t} (id bigint PRIMARY KEY, payload text, n int NOT NULL DEFAULT 0); INSERT INTO ${t} VALUES (0, 'seed', 0);`,
        )
        .join('\n'),
    );
    const yamlFile = join(work, 'soak.yaml');
    writeFileSync(
      yamlFile,
      YAML.stringify({
        version: '1.0',
        pipeline: 'soak',
        source: {
          use: 'source-postgres',
          config: { url: cluster.url('src') },
          streams: tables.map((t) => ({ name: `public.${t}`, sync_mode: 'cdc' })),
        },
        destination: { use: 'dest-postgres', config: { url: cluster.url('rb') }, write_mode: 'upsert' },
        state: { backend: 'sqlite', connection: join(work, 'state.db') },
      }),
    );
    let output = '';
    // debug: every thread's periodic `memory` line (V8 heap, external, guest linear memory) is kept
    /** @type {{ atSeconds: number; thread: string; line: string }[]} */
    const memory = [];
    let loadStart = performance.now();
    let partial = '';
    const onOutput = (d) => {
      const text = partial + d;
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\[debug\] (.*?): memory: (.*)$/.exec(line);
        if (m) {
          memory.push({ atSeconds: Math.round((performance.now() - loadStart) / 1000), thread: m[1], line: m[2] });
          console.log(`         ${m[1]}: ${m[2]}`);
        } else {
          // a stream that fails or retries mid-soak is shown when it happens, not only in the final tail
          if (/^\[(warn|error)\]/.test(line)) console.log(`         ${line}`);
          output = (output + line + '\n').slice(-20_000);
        }
      }
    };
    follower = spawn(
      process.execPath,
      [...o.nodeOptions, o.cli, 'run', '--follow', '--no-progress', '--log-level', 'debug', yamlFile],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    follower.stdout.on('data', onOutput);
    follower.stderr.on('data', onOutput);
    const src = new pg.Client({ connectionString: cluster.url('src') });
    const dst = new pg.Client({ connectionString: cluster.url('rb') });
    // the cluster stops in `finally` while these may still be open: that must not hide the error that stopped the soak
    for (const c of [src, dst]) c.on('error', (e) => console.error(`soak client: ${e.message}`));
    clients.push(src, dst);
    await Promise.all([src.connect(), dst.connect()]);
    const started = performance.now();
    for (;;) {
      const r = await dst
        .query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)`, [tables])
        .catch(() => undefined);
      if (r && r.rows[0].n === tables.length) break;
      if (follower.exitCode !== null) throw new Error(`follower exited ${follower.exitCode}:\n${output.slice(-3000)}`);
      if (performance.now() - started > 120_000)
        throw new Error(`destination tables not created after 120 s:\n${output.slice(-3000)}`);
      await sleep(200);
    }
    console.log(
      `follower pid ${follower.pid} attached; ${o.rate} changes/s over ${tables.length} tables for ${o.minutes} min, a sample every ${o.sampleSeconds} s`,
    );

    const nextId = new Map(tables.map((t) => [t, 1]));
    let changes = 0;
    let generating = true;
    const durationMs = o.minutes * 60_000;
    const generator = (async () => {
      const t0 = performance.now();
      for (let tick = 0; generating; tick++) {
        const wait = t0 + tick * TICK_MS - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() - t0 > durationMs) break;
        const table = tables[tick % tables.length];
        const first = nextId.get(table);
        const inserts = Math.max(1, Math.round(perTick * 0.8));
        nextId.set(table, first + inserts);
        await src.query(`WITH i AS (INSERT INTO ${table} SELECT g, md5(g::text) FROM generate_series(${first}, ${first + inserts - 1}) g RETURNING 1)
          UPDATE ${table} SET n = n + 1 WHERE id IN (SELECT (random() * ${Math.max(1, first - 1)})::bigint FROM generate_series(1, ${perTick - inserts}))`);
        changes += perTick;
      }
    })();
    // a soak stopped by another error closes the clients under it: that must not be what is reported
    generator.catch(() => undefined);

    /** @type {{ atSeconds: number; rssMb: number; slotLagBytes: number; changes: number; destinationRows: number }[]} */
    const samples = [];
    loadStart = performance.now();
    while (performance.now() - loadStart < durationMs) {
      await sleep(Math.min(o.sampleSeconds * 1000, Math.max(0, durationMs - (performance.now() - loadStart))));
      if (follower.exitCode !== null)
        throw new Error(`follower exited ${follower.exitCode} during the soak:\n${output.slice(-3000)}`);
      const lag = await src.query(
        `SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)), 0)::int8::text AS lag FROM pg_replication_slots`,
      );
      const rows = await dst.query(tables.map((t) => `SELECT count(*) AS n FROM ${t}`).join(' UNION ALL '));
      const sample = {
        atSeconds: Math.round((performance.now() - loadStart) / 1000),
        rssMb: Math.round(rssMb(follower.pid)),
        slotLagBytes: Number(lag.rows[0].lag),
        changes,
        destinationRows: rows.rows.reduce((sum, r) => sum + Number(r.n), 0),
      };
      samples.push(sample);
      console.log(
        `${String(sample.atSeconds).padStart(6)} s  RSS ${String(sample.rssMb).padStart(5)} MiB  slot lag ${(sample.slotLagBytes / 1024).toFixed(0).padStart(7)} KiB  changes ${sample.changes}  destination rows ${sample.destinationRows}`,
      );
    }
    generating = false;
    await generator;
    const achievedRate = changes / ((performance.now() - loadStart) / 1000);

    // Catch up: every table equal (EXCEPT both ways), polled until the last changes have arrived.
    const catchStart = performance.now();
    let diffs = [];
    for (;;) {
      diffs = [];
      for (const t of tables) {
        const d = await compareTables(cluster.url('src'), `public.${t}`, cluster.url('rb'), `public.${t}`);
        if (!d.equal) diffs.push({ table: t, ...d });
      }
      if (diffs.length === 0 || performance.now() - catchStart > 180_000) break;
      await sleep(1000);
    }
    follower.kill('SIGINT');
    const exitCode = await new Promise((resolve) =>
      follower.exitCode !== null ? resolve(follower.exitCode) : follower.once('exit', (c) => resolve(c)),
    );

    const afterWarmup = samples.filter((s) => s.atSeconds >= o.warmupMinutes * 60);
    const rssMedian = median(afterWarmup.map((s) => s.rssMb));
    const rssMin = Math.min(...afterWarmup.map((s) => s.rssMb));
    const rssMax = Math.max(...afterWarmup.map((s) => s.rssMb));
    // RSS is judged only on a run that samples at least JUDGED_MINUTES past the warm-up (V8 grows
    // each worker's young generation and the guests their linear memories over the first minutes)
    const judgedSeconds = (afterWarmup.at(-1)?.atSeconds ?? 0) - (afterWarmup[0]?.atSeconds ?? 0);
    const rssJudged = judgedSeconds >= JUDGED_MINUTES * 60 - o.sampleSeconds;
    const rssFlat = rssJudged && rssMin >= rssMedian * 0.9 && rssMax <= rssMedian * 1.1;
    // least-squares slope after the warm-up: a slow leak shows here before it leaves the ±10% band
    const rssSlopeMbPerMin = slope(afterWarmup.map((s) => [s.atSeconds / 60, s.rssMb]));
    const guests = guestGrowth(memory, o.warmupMinutes * 60);
    const lagMedian = median(samples.map((s) => s.slotLagBytes));
    const lastLag = samples.at(-1)?.slotLagBytes ?? 0;
    const lagBounded = lastLag <= lagMedian * 10 + 1024 * 1024;
    const verdict = { equal: diffs.length === 0, followerExit: exitCode, rssFlat, lagBounded };
    const result = {
      scenario: 'soak',
      minutes: o.minutes,
      targetRate: o.rate,
      achievedRate: Math.round(achievedRate),
      streams: tables.length,
      warmupMinutes: o.warmupMinutes,
      rssAfterWarmupMb: {
        median: rssMedian,
        min: rssMin,
        max: rssMax,
        slopePerMinute: Math.round(rssSlopeMbPerMin * 100) / 100,
        judged: rssJudged,
      },
      guestLinearMb: guests,
      slotLagBytes: { median: lagMedian, last: lastLag, max: Math.max(...samples.map((s) => s.slotLagBytes)) },
      catchUpSeconds: Math.round((performance.now() - catchStart) / 100) / 10,
      verdict,
      differences: diffs,
      samples,
      memory,
    };
    console.log(`\n${changes} changes at ${result.achievedRate}/s; caught up in ${result.catchUpSeconds} s`);
    console.log(
      rssJudged
        ? `RSS after ${o.warmupMinutes} min warm-up: median ${rssMedian} MiB, min ${rssMin}, max ${rssMax}, slope ${rssSlopeMbPerMin.toFixed(2)} MiB/min → ${rssFlat ? 'flat (±10%)' : 'NOT within ±10%'}`
        : `RSS not judged: the run sampled ${Math.max(0, judgedSeconds)} s past the ${o.warmupMinutes} min warm-up, it needs ${JUDGED_MINUTES} min (--minutes ≥ warm-up + ${JUDGED_MINUTES})`,
    );
    for (const g of guests)
      console.log(
        `guest ${g.thread} ${g.stage}: linear memory ${g.firstMb} → ${g.lastMb} MiB after the warm-up (host-allocated ${g.hostAllocatedMb} MiB in all)`,
      );
    console.log(
      `slot lag: median ${(lagMedian / 1024).toFixed(0)} KiB, last ${(lastLag / 1024).toFixed(0)} KiB → ${lagBounded ? 'bounded' : 'GROWING'}`,
    );
    console.log(
      `destination ${verdict.equal ? 'equals' : 'DIFFERS FROM'} the source (EXCEPT both ways, ${tables.length} tables); follower exit ${exitCode}`,
    );
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `soak-${new Date().toISOString().replaceAll(':', '-').replace('.', '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results written to ${file}`);
    if (!verdict.equal || exitCode !== 0) console.log(output.slice(-3000));
    return verdict.equal && exitCode === 0 && rssFlat && lagBounded ? 0 : 1;
  } finally {
    if (follower && follower.exitCode === null) follower.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();

// CDC benchmark: changes/s applied by rapidbyte for N single-row inserts in one source transaction
// (see docs/architecture.md#benchmarks; default 200,000), cdc × upsert into a destination table, rounds repeated on the same
// slot. The whole run is timed (process start to exit, incl. ~2 s fixed start-up) and the stream's
// own duration (attach to commit) is reported beside it. `--txn-size K` commits every K rows
// instead (N/K transactions); `--streaming off` runs the CLI with RAPIDBYTE_CDC_STREAMING=off
// (pgoutput protocol 1: a large transaction is decoded whole by the server before it is sent).
// Usage: node bench/run.mjs --scenario cdc [--rows N] [--rounds R] [--txn-size K] [--streaming on|off] [--cli path/to/cli/main.js]
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
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
const DDL = `CREATE TABLE bench (id bigint PRIMARY KEY, name text, email text, amount numeric(12,2),
  score double precision, active boolean, created_at timestamptz, payload jsonb)`;
const COLUMNS = ['id', 'name', 'email', 'amount', 'score', 'active', 'created_at', 'payload'];

/** `rows` single-row INSERT statements, ids from `first`, committed every `txnSize` rows (one DO block: psql autocommits it). */
const insertLoop = (first, rows, txnSize) => `DO $$ BEGIN
  FOR g IN ${first}..${first + rows - 1} LOOP
    INSERT INTO bench VALUES (g, 'name ' || g, 'user' || g || '@example.com', (g % 1000000) / 100.0, g * 0.37, g % 2 = 0,
      timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second 1 microsecond',
      jsonb_build_object('id', g, 'tags', jsonb_build_array('a', g % 7), 'note', md5(g::text)));${
        txnSize < rows
          ? `
    IF (g - ${first} + 1) % ${txnSize} = 0 THEN COMMIT; END IF;`
          : ''
      }
  END LOOP;
END $$`;

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** @param {string[]} args @returns {Promise<number>} exit code */
export async function cdcBench(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '200000' },
      rounds: { type: 'string', default: '3' },
      'txn-size': { type: 'string' },
      streaming: { type: 'string', default: 'on' },
      cli: { type: 'string', default: DEFAULT_CLI },
      scenario: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  const txnSize = values['txn-size'] === undefined ? rows : Number(values['txn-size']);
  if (!Number.isSafeInteger(txnSize) || txnSize < 1) {
    console.error(`--txn-size must be a positive integer, got ${values['txn-size']}`);
    return 2;
  }
  if (values.streaming !== 'on' && values.streaming !== 'off') {
    console.error(`--streaming must be on or off, got ${values.streaming}`);
    return 2;
  }
  const env = { ...process.env, RAPIDBYTE_CDC_STREAMING: values.streaming };
  if (!existsSync(values.cli)) {
    console.error(`${values.cli} not found: run pnpm build`);
    return 1;
  }
  const work = mkdtempSync(join(tmpdir(), 'rb-bench-cdc-'));
  const cluster = await startPgCluster({ log: true });
  try {
    for (const db of ['src', 'rb']) await cluster.createDatabase(db);
    await cluster.psql('src', `${DDL};`);
    const yamlFile = join(work, 'cdc.yaml');
    writeFileSync(
      yamlFile,
      YAML.stringify({
        version: '1.0',
        pipeline: 'bench_cdc',
        source: {
          use: 'source-postgres',
          config: { url: cluster.url('src') },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          streams: [{ name: 'public.bench', sync_mode: 'cdc' }],
        },
        destination: {
          use: 'dest-postgres',
          config: { url: cluster.url('rb'), schema: 'public' },
          permissions: { network: { allowed_hosts: [cluster.host] } },
          write_mode: 'upsert',
        },
        state: { backend: 'sqlite', connection: join(work, 'state.db') },
      }),
    );
    const first = timedRun([process.execPath, values.cli, 'run', yamlFile], {
      workDir: work,
      label: 'snapshot',
      cwd: REPO,
    });
    if (first.status !== 0) throw new Error(`snapshot run failed:\n${tail(first.logFile)}`);
    /** @type {{ round: number, wallSeconds: number, streamSeconds: number, cpuSeconds?: number, peakRssMb?: number, ok: boolean, error?: string }[]} */
    const results = [];
    for (let round = 1; round <= rounds; round++) {
      await cluster.psql('src', `${insertLoop((round - 1) * rows + 1, rows, txnSize)};`);
      await cluster.query('postgres', 'CHECKPOINT');
      const run = timedRun([process.execPath, values.cli, 'run', '--json', yamlFile], {
        workDir: work,
        label: `cdc-${round}`,
        cwd: REPO,
        env,
      });
      let error;
      let streamSeconds = NaN;
      if (run.status !== 0) error = `exit ${run.status}:\n${tail(run.logFile)}`;
      else {
        const json = JSON.parse(extractJson(readFileSync(run.logFile, 'utf8')));
        streamSeconds = (json.streams?.[0]?.durationMs ?? NaN) / 1000;
        const src = await tableDigest(cluster.url('src'), 'public.bench', 'id', { columns: COLUMNS });
        const got = await tableDigest(cluster.url('rb'), 'public.bench', 'id', { columns: COLUMNS });
        if (got.rows !== src.rows || got.md5 !== src.md5)
          error = `destination differs: ${JSON.stringify(got)} vs ${JSON.stringify(src)}`;
      }
      results.push({
        round,
        wallSeconds: run.wallSeconds,
        streamSeconds,
        cpuSeconds: run.cpuSeconds,
        peakRssMb: run.peakRssMb,
        ok: !error,
        ...(error ? { error } : {}),
      });
      const m = results.at(-1);
      console.log(
        `round ${round}: ${m.ok ? `${m.wallSeconds.toFixed(2)} s wall (${(rows / m.wallSeconds).toFixed(0)} changes/s), stream ${m.streamSeconds.toFixed(2)} s (${(rows / m.streamSeconds).toFixed(0)} changes/s)` : `FAILED: ${m.error}`}`,
      );
    }
    const ok = results.filter((r) => r.ok);
    const summary = {
      rows,
      txnSize,
      streaming: values.streaming,
      medianWallSeconds: median(ok.map((r) => r.wallSeconds)),
      medianStreamSeconds: median(ok.map((r) => r.streamSeconds)),
      changesPerSecondWall: rows / median(ok.map((r) => r.wallSeconds)),
      changesPerSecondStream: rows / median(ok.map((r) => r.streamSeconds)),
      medianCpuSeconds: median(ok.flatMap((r) => (r.cpuSeconds === undefined ? [] : [r.cpuSeconds]))),
      peakRssMb: Math.max(...ok.map((r) => r.peakRssMb ?? NaN)),
    };
    const txns = Math.ceil(rows / txnSize);
    console.log(
      `\nCDC: ${rows} single-row inserts in ${txns === 1 ? 'one transaction' : `${txns} transactions of ${txnSize}`}, streaming ${values.streaming}, ${rounds} rounds, ${cpus().length} CPUs`,
    );
    console.log(
      `  median wall ${summary.medianWallSeconds.toFixed(2)} s = ${summary.changesPerSecondWall.toFixed(0)} changes/s (whole run)`,
    );
    console.log(
      `  median stream ${summary.medianStreamSeconds.toFixed(2)} s = ${summary.changesPerSecondStream.toFixed(0)} changes/s (attach to last commit)`,
    );
    console.log(`  CPU ${summary.medianCpuSeconds.toFixed(2)} s, peak RSS ${summary.peakRssMb.toFixed(0)} MB`);
    console.log(
      '  (library baselines measured earlier, docs/architecture.md#benchmarks: pg-logical-replication 48k/s auto-ack, 88k/s manual ack; raw frames 134-235k/s)',
    );
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `cdc-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), scenario: 'cdc', cpus: cpus().length, node: process.version, summary, results }, null, 2)}\n`,
    );
    console.log(`results written to ${file}`);
    return ok.length === rounds ? 0 : 1;
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The JSON document `run --json` printed (stdout and stderr share the log file). */
function extractJson(text) {
  const start = text.indexOf('{\n');
  const end = text.lastIndexOf('\n}');
  return start >= 0 && end > start ? text.slice(start, end + 2) : '{}';
}

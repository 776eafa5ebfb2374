// Stress: repeats e2e files N times under artificial CPU contention and prints pass/fail counts.
// Not part of `pnpm test`: it proves that tests which depend on timing (CDC faults, kill -9
// resume) hold when the machine is busy, where a race shows up as a failure now and then.
//
//   pnpm stress [--repeat N] [--burners K] [files…]
//
// Defaults: 10 repeats, one busy-loop burner per core, the CDC fault and kill-resume files.
// Each repeat is one `vitest run --project e2e <files>` (its own PostgreSQL); the output of a
// failed repeat is kept under bench/results/stress-<time>/ for reading.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_FILES = [
  'tests/e2e/cdc-faults.test.ts',
  'tests/e2e/cdc-follow-reattach-stall.test.ts',
  'tests/e2e/resume-after-kill.test.ts',
];

function parseArgs(argv) {
  const options = { repeat: 10, burners: availableParallelism(), files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--repeat' || arg === '--burners') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === '--repeat' ? 1 : 0))
        throw new Error(`${arg} needs a whole number, got ${argv[i]}`);
      options[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg} (known: --repeat N, --burners K)`);
    } else {
      options.files.push(arg);
    }
  }
  if (options.files.length === 0) options.files = DEFAULT_FILES;
  return options;
}

/** Busy-loop threads that keep the cores contended while they run. */
function startBurners(count) {
  const code = `const { workerData } = require('node:worker_threads');
const view = new Int32Array(workerData);
let x = 0;
while (Atomics.load(view, 0) === 0) { for (let i = 0; i < 1e6; i++) x = (x * 31 + i) | 0; }`;
  const stop = new SharedArrayBuffer(4);
  const workers = Array.from({ length: count }, () => new Worker(code, { eval: true, workerData: stop }));
  return async () => {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  };
}

function runVitest(files) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e', ...files],
      {
        cwd: ROOT,
        env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const options = parseArgs(process.argv.slice(2));
const resultsDir = join(ROOT, 'bench/results', `stress-${new Date().toISOString().replace(/[:.]/g, '-')}`);
console.log(`stress: ${options.repeat} repeat(s) of ${options.files.join(', ')} with ${options.burners} CPU burner(s)`);
const stopBurners = startBurners(options.burners);
let passed = 0;
let failed = 0;
try {
  for (let round = 1; round <= options.repeat; round++) {
    const started = Date.now();
    const { code, output } = await runVitest(options.files);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code === 0) {
      passed++;
      console.log(`repeat ${round}/${options.repeat}: passed (${seconds} s)`);
    } else {
      failed++;
      mkdirSync(resultsDir, { recursive: true });
      const log = join(resultsDir, `repeat-${round}.log`);
      writeFileSync(log, output);
      const failing = [
        ...new Set(
          output
            .split('\n')
            .filter((l) => /^\s*(FAIL|×)/.test(l))
            .map((l) => l.trim()),
        ),
      ].slice(0, 5);
      console.log(`repeat ${round}/${options.repeat}: FAILED (${seconds} s, exit ${code}) — ${log}`);
      for (const line of failing) console.log(`    ${line}`);
    }
  }
} finally {
  await stopBurners();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

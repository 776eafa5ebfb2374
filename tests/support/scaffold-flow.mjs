#!/usr/bin/env node
// The connector-author flow, as CI runs it: scaffold a source in a temp folder (outside the
// workspace), build it, run its generated tests, use it in a pipeline that loads a JSON-lines
// file into PostgreSQL, and compare the loaded rows with the expected ones (EXCEPT both ways).
// Exit code 0 only if every step succeeded and the tables are equal.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPgCluster } from './pg-cluster.mjs';
import { compareTables } from './table-compare.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ENGINE_DIST = join(REPO, 'packages', 'engine', 'dist');
const CLI = join(ENGINE_DIST, 'cli', 'main.js');
const NAME = 'jsonl-users';
const ROWS = 2_500;

/** @param {string} message */
const step = (message) => console.log(`\n== ${message}`);

/** @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} options */
function run(cmd, args, options) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** The rows of the JSON-lines file: NULLs, quotes, non-ASCII, fractions and timestamps. */
function makeRows() {
  const base = Date.UTC(2024, 0, 1, 0, 0, 0, 123);
  return Array.from({ length: ROWS }, (_, i) => ({
    id: i + 1,
    name: i % 11 === 0 ? null : `user ${i + 1} "q" é ✓`,
    score: i % 7 === 0 ? null : (i + 1) * 1.25,
    active: i % 2 === 0,
    created_at: new Date(base + i * 60_000).toISOString(),
  }));
}

const COLUMNS = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'name', type: 'string' },
  { name: 'score', type: 'float64' },
  { name: 'active', type: 'boolean' },
  { name: 'created_at', type: 'timestamp' },
];

/** @param {string} dir @param {import('./pg-cluster.mjs').PgCluster} cluster */
async function flow(dir, cluster) {
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: run \`pnpm build\` first`);
  step(`scaffold source ${NAME} in ${dir}`);
  const { scaffoldConnector } = await import(pathToFileURL(join(ENGINE_DIST, 'scaffold', 'index.js')).href);
  const scaffolded = await scaffoldConnector({ kind: 'source', name: NAME, dir: join(dir, NAME) });
  if (scaffolded.missing.length > 0) throw new Error(`scaffold could not link ${scaffolded.missing.join(', ')}`);
  step('npm run build');
  run('npm', ['run', 'build'], { cwd: join(dir, NAME) });
  step('npm test');
  run('npm', ['test'], { cwd: join(dir, NAME) });

  step(`write users.jsonl (${ROWS} rows) and pipeline.yaml`);
  const rows = makeRows();
  writeFileSync(join(dir, 'users.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    [
      'version: "1.0"',
      'pipeline: scaffold_flow',
      'source:',
      `  use: ./${NAME}`,
      `  config: { path: ./users.jsonl, batch_rows: 1000, columns: ${JSON.stringify(COLUMNS)} }`,
      '  permissions: { fs: { allowed_paths: [./users.jsonl] } }',
      '  streams:',
      '    - { name: users, sync_mode: full_refresh }',
      'destination:',
      '  use: dest-postgres',
      `  config: { url: "${cluster.url('warehouse')}", schema: raw }`,
      '  permissions: { network: { allowed_hosts: [127.0.0.1] } }',
      '  write_mode: replace',
      'state: { backend: sqlite, connection: .rapidbyte/state.db }',
      '',
    ].join('\n'),
  );
  await cluster.createDatabase('warehouse');
  await cluster.query(
    'warehouse',
    `CREATE SCHEMA expected;
    CREATE TABLE expected.users (id bigint, name text, score double precision, active boolean, created_at timestamptz)`,
  );
  await cluster.query(
    'warehouse',
    'INSERT INTO expected.users SELECT * FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::bool[], $5::timestamptz[])',
    [
      rows.map((r) => r.id),
      rows.map((r) => r.name),
      rows.map((r) => r.score),
      rows.map((r) => r.active),
      rows.map((r) => r.created_at),
    ],
  );

  step('rapidbyte run pipeline.yaml');
  run(process.execPath, [CLI, 'run', 'pipeline.yaml'], { cwd: dir });

  step('compare raw.users with the expected rows (EXCEPT both ways)');
  const diff = await compareTables(cluster.url('warehouse'), 'expected.users', cluster.url('warehouse'), 'raw.users');
  if (!diff.equal) {
    throw new Error(
      `raw.users differs: ${diff.onlyInSourceCount} rows missing, ${diff.onlyInDestinationCount} unexpected; first ones: ` +
        JSON.stringify({ missing: diff.onlyInSource.slice(0, 3), unexpected: diff.onlyInDestination.slice(0, 3) }),
    );
  }
  console.log(`raw.users equals the file (${diff.sourceRows} rows)`);
}

const dir = mkdtempSync(join(tmpdir(), 'rb-scaffold-flow-'));
const cluster = await startPgCluster({ log: true });
let failure;
try {
  await flow(dir, cluster);
} catch (error) {
  failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
} finally {
  await cluster.stop();
  if (!failure) rmSync(dir, { recursive: true, force: true });
}
if (failure) {
  console.error(`\nscaffold flow FAILED (files kept in ${dir}):\n${failure}`);
  process.exit(1);
}
console.log('\nscaffold flow OK');

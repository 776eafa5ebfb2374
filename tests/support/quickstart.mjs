#!/usr/bin/env node
// `pnpm quickstart`: runs pipelines/quickstart.yaml against a throwaway PostgreSQL and checks that
// the warehouse equals the shop. Exit code 0 only if the run succeeded and every table matches.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgCluster } from './pg-cluster.mjs';
import { quoteIdent } from './pg-url.mjs';
import { compareTables } from './table-compare.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'packages', 'engine', 'dist', 'cli', 'main.js');
const PIPELINE = join('pipelines', 'quickstart.yaml');
const ROLE = 'rb_quickstart';
/** Deliberately full of URL delimiters: the pipeline must carry it percent-encoded. */
const PASSWORD = 'qs@p:ss/w%rd';
const TABLES = [
  { source: 'shop.customers', destination: 'raw.customers' },
  { source: 'shop.orders', destination: 'raw.orders' },
];

/** @param {string} message */
const step = (message) => console.log(`\n== ${message}`);

/** @param {import('./pg-cluster.mjs').PgCluster} cluster @returns {Promise<string[]>} failures */
async function runQuickstart(cluster) {
  step(`PostgreSQL on 127.0.0.1:${cluster.port}; creating role ${ROLE}, databases shop and warehouse`);
  await cluster.createLoginRole(ROLE, PASSWORD);
  await cluster.createDatabase('shop', ROLE);
  await cluster.createDatabase('warehouse', ROLE);
  await cluster.psql('shop', readFileSync(join(REPO, 'tests', 'fixtures', 'demo.sql'), 'utf8'));
  await cluster.psql(
    'shop',
    `GRANT USAGE ON SCHEMA shop TO ${quoteIdent(ROLE)};
    GRANT SELECT ON ALL TABLES IN SCHEMA shop TO ${quoteIdent(ROLE)};`,
  );

  if (!existsSync(CLI)) return [`${CLI} not found: run \`pnpm build\` first`];
  step(`rapidbyte run ${PIPELINE}`);
  const run = spawnSync(process.execPath, [CLI, 'run', PIPELINE], {
    cwd: REPO,
    stdio: 'inherit',
    env: {
      ...process.env,
      RB_QS_PORT: String(cluster.port),
      RB_QS_USER: ROLE,
      RB_QS_PASSWORD: PASSWORD,
    },
  });
  if (run.status !== 0) return [`rapidbyte run exited with ${run.status ?? run.signal}`];

  step('destination row counts');
  /** @type {string[]} */
  const failures = [];
  for (const { source, destination } of TABLES) {
    const [schema, table] = destination.split('.');
    const { rows } = await cluster.query(
      'warehouse',
      `SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`,
    );
    console.log(`warehouse.${destination}: ${rows[0].n} rows`);
    const diff = await compareTables(cluster.url('shop'), source, cluster.url('warehouse'), destination);
    if (diff.equal) {
      console.log(`  equals ${source} in database shop (${diff.sourceRows} rows, EXCEPT both ways empty)`);
    } else {
      failures.push(
        `${destination} differs from ${source}: ${diff.onlyInSourceCount} rows only in source, ` +
          `${diff.onlyInDestinationCount} only in destination; first ones: ` +
          JSON.stringify({
            onlyInSource: diff.onlyInSource.slice(0, 3),
            onlyInDestination: diff.onlyInDestination.slice(0, 3),
          }),
      );
    }
  }
  return failures;
}

const cluster = await startPgCluster({ log: true });
/** @type {string[]} */
let failures;
try {
  failures = await runQuickstart(cluster);
} catch (error) {
  failures = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
} finally {
  await cluster.stop();
}
if (failures.length > 0) {
  console.error(`\nquickstart FAILED:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nquickstart OK');

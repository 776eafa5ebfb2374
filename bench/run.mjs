#!/usr/bin/env node
// `pnpm bench`: the benchmark entry point. `--scenario full-refresh` (default), `cdc`, `cdc-lag` or
// `startup`, `tables`, `warm` or `cluster`; other arguments pass through, e.g. `pnpm bench --rows 200000 --rounds 5`,
// `pnpm bench --scenario cdc`. `--rows 1` without a scenario runs `startup` (the fixed cost of a run).
import { cdcBench } from './cdc.mjs';
import { clusterBench } from './cluster.mjs';
import { cdcLagBench } from './cdc-lag.mjs';
import { fullRefreshBench } from './full-refresh.mjs';
import { startupBench } from './startup.mjs';
import { tablesBench } from './tables.mjs';
import { warmBench } from './warm.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const at = args.indexOf('--scenario');
const rowsAt = args.indexOf('--rows');
const scenario = at >= 0 ? args[at + 1] : rowsAt >= 0 && Number(args[rowsAt + 1]) === 1 ? 'startup' : 'full-refresh';
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
if (scenario === 'cdc') process.exitCode = await cdcBench(rest);
else if (scenario === 'cdc-lag') process.exitCode = await cdcLagBench(rest);
else if (scenario === 'full-refresh') process.exitCode = await fullRefreshBench(rest);
else if (scenario === 'startup') process.exitCode = await startupBench(rest);
else if (scenario === 'tables') process.exitCode = await tablesBench(rest);
else if (scenario === 'warm') process.exitCode = await warmBench(rest);
else if (scenario === 'cluster') process.exitCode = await clusterBench(rest);
else {
  console.error(`unknown --scenario ${scenario}: full-refresh | cdc | cdc-lag | startup | tables | warm | cluster`);
  process.exitCode = 2;
}

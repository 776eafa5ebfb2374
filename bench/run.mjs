#!/usr/bin/env node
// `pnpm bench`: the benchmark entry point. `--scenario full-refresh` (default), `cdc` or `cdc-lag`; other
// arguments pass through, e.g. `pnpm bench --rows 200000 --rounds 5`, `pnpm bench --scenario cdc`.
import { cdcBench } from './cdc.mjs';
import { cdcLagBench } from './cdc-lag.mjs';
import { fullRefreshBench } from './full-refresh.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const at = args.indexOf('--scenario');
const scenario = at >= 0 ? args[at + 1] : 'full-refresh';
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
if (scenario === 'cdc') process.exitCode = await cdcBench(rest);
else if (scenario === 'cdc-lag') process.exitCode = await cdcLagBench(rest);
else if (scenario === 'full-refresh') process.exitCode = await fullRefreshBench(rest);
else {
  console.error(`unknown --scenario ${scenario}: full-refresh | cdc | cdc-lag`);
  process.exitCode = 2;
}

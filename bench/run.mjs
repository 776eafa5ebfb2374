#!/usr/bin/env node
// `pnpm bench`: the benchmark entry point. Today one scenario, full refresh pg -> pg.
// Arguments pass through, e.g. `pnpm bench --rows 200000 --rounds 5`.
import { fullRefreshBench } from './full-refresh.mjs';

process.exitCode = await fullRefreshBench(process.argv.slice(2).filter((a) => a !== '--'));

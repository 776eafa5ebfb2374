// The `rapidbyte` command (loaded by `main.ts`, bundled or not): sets the wasm compiler flags and, for `run`, starts a stream worker
// before loading the rest of the CLI, so the worker's module loading overlaps the main thread's.
import '../runtime/node-navigator-first.js';
import { WarmWorkers } from '../orchestrator/warm-workers.js';
import { handleBrokenPipes } from './broken-pipe.js';
import { useBaselineWasmCompiler } from './wasm-baseline-compiler.js';

handleBrokenPipes();
useBaselineWasmCompiler();
const warm = process.argv[2] === 'run' && process.env.RAPIDBYTE_WARM_WORKER !== 'off' ? new WarmWorkers(1) : undefined;
const { runProgram } = await import('./program.js');
await runProgram(process.argv, warm);

// The `rapidbyte` command (loaded by `main.ts`, bundled or not): sets the wasm compiler flags and, for `run`, starts a stream worker
// before loading the rest of the CLI, so the worker's module loading overlaps the main thread's.
import './cli-navigator-first.js';
import { WarmWorkers } from '../orchestrator/warm-workers.js';
import { handleBrokenPipes } from './broken-pipe.js';
import { useBaselineWasmCompiler, useLazyWasmValidation } from './wasm-baseline-compiler.js';
import { cliEngineOptions } from './engine-options-from-env.js';

handleBrokenPipes();
useBaselineWasmCompiler();
const engine = cliEngineOptions();
useLazyWasmValidation(engine.lazyWasmValidation);
const warm =
  process.argv[2] === 'run' && engine.warmWorker
    ? new WarmWorkers(1, { nodeNavigator: engine.switches.nodeNavigator })
    : undefined;
const { runProgram } = await import('./program.js');
await runProgram(process.argv, warm);

import v8 from 'node:v8';

/**
 * Compiles connector components with V8's baseline WebAssembly compiler only (Liftoff), unless
 * `RAPIDBYTE_WASM_TIER_UP=on`. Guests are the control plane (the host does the per-row work),
 * so optimising their code never pays back: on 2 cores the optimising compiler's background
 * work competed with the pipeline. Measured (1-row table: wall / CPU / peak RSS): 1.75 s / 2.5 s /
 * 230 MB with tier-up, 1.45 s / 1.5 s / 175 MB without; CDC bench 200k changes: 36k → 44k
 * changes/s. Must run before the first component is compiled; the flag is process-wide, so
 * worker threads inherit it. Returns whether the flag was set.
 */
export function useBaselineWasmCompiler(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.RAPIDBYTE_WASM_TIER_UP === 'on') return false;
  v8.setFlagsFromString('--liftoff-only');
  return true;
}

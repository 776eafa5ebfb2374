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

/**
 * Validates a component's functions when each is first compiled (V8 compiles wasm lazily, per
 * function on its first call) instead of all of them up front: a run calls a small part of each
 * 13 MB guest, and the up-front validation of both built-in guests cost ~130 ms CPU of every run
 * (compile: ~170 → ~37 ms CPU). No function runs unvalidated; an invalid one fails at its first
 * call instead of at load. Must run before the first component is compiled (process-wide, as
 * above). Off: `RAPIDBYTE_WASM_LAZY_VALIDATION=off`. Returns whether the flag was set.
 */
export function useLazyWasmValidation(enabled: boolean): boolean {
  if (!enabled) return false;
  v8.setFlagsFromString('--wasm-lazy-validation');
  return true;
}

import { describe, expect, it } from 'vitest';
import { useBaselineWasmCompiler, useLazyWasmValidation } from './wasm-baseline-compiler.js';

describe('useBaselineWasmCompiler', () => {
  it('sets the baseline-only flag unless RAPIDBYTE_WASM_TIER_UP=on', () => {
    expect(useBaselineWasmCompiler({ RAPIDBYTE_WASM_TIER_UP: 'on' })).toBe(false);
    expect(useBaselineWasmCompiler({})).toBe(true);
    // components still compile and run under the flag
    const module = new WebAssembly.Module(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(new WebAssembly.Instance(module)).toBeInstanceOf(WebAssembly.Instance);
  });
});

describe('useLazyWasmValidation', () => {
  it('sets the lazy-validation flag only when enabled; modules still compile and run', () => {
    expect(useLazyWasmValidation(false)).toBe(false);
    expect(useLazyWasmValidation(true)).toBe(true);
    const module = new WebAssembly.Module(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(new WebAssembly.Instance(module)).toBeInstanceOf(WebAssembly.Instance);
  });
});

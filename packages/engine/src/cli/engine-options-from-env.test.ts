import { describe, expect, it } from 'vitest';
import { engineOptionsFromEnv, TEST_FAULT_EXIT_CODE } from './engine-options-from-env.js';

describe('engineOptionsFromEnv', () => {
  it('turns every switch on by default and each off by its variable', () => {
    const none = engineOptionsFromEnv({}, () => undefined);
    expect(none.switches).toEqual({
      copyPassthrough: true,
      rememberTlsRefusal: true,
      nodeNavigator: true,
      reuseWorkers: true,
      reuseInstances: true,
      streamTransactions: true,
    });
    expect(none.lightStreamsPerPermit).toBeUndefined();
    expect([
      none.earlyCompile,
      none.warmWorker,
      none.warmPreload,
      none.schemaCache,
      none.lazyCommands,
      none.lazyWasmValidation,
      none.precompiledSchemas,
    ]).toEqual([true, true, true, true, true, true, true]);
    expect(none.resumeGate).toBeUndefined();
    expect(none.drainGraceMs).toBeUndefined();
    expect(none.connectorsPath).toEqual([]);
    const off = engineOptionsFromEnv(
      {
        RAPIDBYTE_COPY_PASSTHROUGH: 'off',
        RAPIDBYTE_TLS_MEMO: 'off',
        RAPIDBYTE_NODE_NAVIGATOR: 'off',
        RAPIDBYTE_REUSE_WORKERS: 'off',
        RAPIDBYTE_REUSE_INSTANCES: 'off',
        RAPIDBYTE_CDC_STREAMING: 'off',
        RAPIDBYTE_LIGHT_STREAMS: '1',
        RAPIDBYTE_EARLY_COMPILE: 'off',
        RAPIDBYTE_WARM_WORKER: 'off',
        RAPIDBYTE_WARM_PRELOAD: 'off',
        RAPIDBYTE_SCHEMA_CACHE: 'off',
        RAPIDBYTE_LAZY_COMMANDS: 'off',
        RAPIDBYTE_WASM_LAZY_VALIDATION: 'off',
        RAPIDBYTE_PRECOMPILED_SCHEMAS: 'off',
        RAPIDBYTE_RESUME_GATE: 'always',
        RAPIDBYTE_TEST_DRAIN_GRACE_MS: '250',
        RAPIDBYTE_CONNECTORS_PATH: ['a', 'b'].join(process.platform === 'win32' ? ';' : ':'),
      },
      () => undefined,
    );
    expect(off.switches).toEqual({
      copyPassthrough: false,
      rememberTlsRefusal: false,
      nodeNavigator: false,
      reuseWorkers: false,
      reuseInstances: false,
      streamTransactions: false,
    });
    expect(off.lightStreamsPerPermit).toBe(1);
    expect([
      off.earlyCompile,
      off.warmWorker,
      off.warmPreload,
      off.schemaCache,
      off.lazyCommands,
      off.lazyWasmValidation,
      off.precompiledSchemas,
    ]).toEqual([false, false, false, false, false, false, false]);
    expect(off.resumeGate).toBe('always');
    expect(off.drainGraceMs).toBe(250);
    expect(off.connectorsPath).toEqual(['a', 'b']);
  });

  it('parses RAPIDBYTE_TEST_FAULT and ends the process with the test-fault code', () => {
    const codes: number[] = [];
    const { faults } = engineOptionsFromEnv(
      { RAPIDBYTE_TEST_FAULT: 'exit-after-commit:1' },
      (code) => void codes.push(code),
    );
    expect(faults.exitAfterCommit).toBe(1);
    faults.exit?.();
    expect(codes).toEqual([TEST_FAULT_EXIT_CODE]);
  });
});

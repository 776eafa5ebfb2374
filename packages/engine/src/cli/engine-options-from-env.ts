import { delimiter } from 'node:path';
import { DEFAULT_WORKER_SWITCHES, type TestFaults, type WorkerSwitches } from '../orchestrator/engine-options.js';
import { parseTestFault } from '../orchestrator/fault-injector.js';
import type { ResumeGate } from '../orchestrator/stream-task.js';

/** The exit code of a process ended by a test fault (`RAPIDBYTE_TEST_FAULT=exit-…`). */
export const TEST_FAULT_EXIT_CODE = 86;

/**
 * What the CLI takes from the environment for the engine. The library reads no environment: the
 * CLI reads it once, here, and passes these down as options. Every start-up switch defaults to
 * on; `off` (or the value named) turns it off, to measure what it saves.
 */
export interface CliEngineOptions {
  /** `RAPIDBYTE_COPY_PASSTHROUGH`, `RAPIDBYTE_TLS_MEMO`, `RAPIDBYTE_NODE_NAVIGATOR`, `RAPIDBYTE_REUSE_WORKERS`, `RAPIDBYTE_REUSE_INSTANCES`, `RAPIDBYTE_CDC_STREAMING`. */
  readonly switches: WorkerSwitches;
  /** `RAPIDBYTE_TEST_FAULT` (test-only), ending the process with {@link TEST_FAULT_EXIT_CODE}. */
  readonly faults: TestFaults;
  /** `RAPIDBYTE_RESUME_GATE=always`: sources wait for the destination's resume point even where it is known to be empty. */
  readonly resumeGate?: ResumeGate;
  /** `RAPIDBYTE_TEST_DRAIN_GRACE_MS` (test-only): how long a batch stream may drain after a signal. */
  readonly drainGraceMs?: number;
  /** `RAPIDBYTE_LIGHT_STREAMS=N`: light batch streams per `parallelism` permit (1: one stream per permit). */
  readonly lightStreamsPerPermit?: number;
  /** `RAPIDBYTE_EARLY_COMPILE`: compile the components as soon as the config is read. */
  readonly earlyCompile: boolean;
  /** `RAPIDBYTE_WARM_WORKER`: `run` starts a stream worker before it loads the rest of the CLI. */
  readonly warmWorker: boolean;
  /** `RAPIDBYTE_WARM_PRELOAD`: the warm worker loads the connectors' bindings while the main thread sets the run up. */
  readonly warmPreload: boolean;
  /** `RAPIDBYTE_SCHEMA_CACHE`: compiled JSON-schema validators are kept per schema. */
  readonly schemaCache: boolean;
  /** `RAPIDBYTE_WASM_LAZY_VALIDATION`: a component's functions are validated when first compiled, not all at load. */
  readonly lazyWasmValidation: boolean;
  /** `RAPIDBYTE_PRECOMPILED_SCHEMAS`: the built-in schemas' validators come precompiled from the build. */
  readonly precompiledSchemas: boolean;
  /** `RAPIDBYTE_LAZY_COMMANDS`: `run` loads none of the commands it does not use. */
  readonly lazyCommands: boolean;
  /** `RAPIDBYTE_CONNECTORS_PATH`: folders searched first for connectors named in `use:`. */
  readonly connectorsPath: readonly string[];
}

/** Reads {@link CliEngineOptions} from `env`; `exit` ends the process when an exit fault fires. */
export function engineOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  exit: (code: number) => void,
): CliEngineOptions {
  const on = (name: string): boolean => env[name] !== 'off';
  const drain = Number(env.RAPIDBYTE_TEST_DRAIN_GRACE_MS ?? '');
  const light = Number(env.RAPIDBYTE_LIGHT_STREAMS ?? '');
  return {
    switches: {
      ...DEFAULT_WORKER_SWITCHES,
      copyPassthrough: on('RAPIDBYTE_COPY_PASSTHROUGH'),
      rememberTlsRefusal: on('RAPIDBYTE_TLS_MEMO'),
      nodeNavigator: on('RAPIDBYTE_NODE_NAVIGATOR'),
      reuseWorkers: on('RAPIDBYTE_REUSE_WORKERS'),
      reuseInstances: on('RAPIDBYTE_REUSE_INSTANCES'),
      streamTransactions: on('RAPIDBYTE_CDC_STREAMING'),
    },
    faults: { ...parseTestFault(env.RAPIDBYTE_TEST_FAULT), exit: () => exit(TEST_FAULT_EXIT_CODE) },
    ...(env.RAPIDBYTE_RESUME_GATE === 'always' ? { resumeGate: 'always' as const } : {}),
    ...(env.RAPIDBYTE_TEST_DRAIN_GRACE_MS && Number.isFinite(drain) && drain >= 0 ? { drainGraceMs: drain } : {}),
    ...(env.RAPIDBYTE_LIGHT_STREAMS && Number.isSafeInteger(light) && light >= 1
      ? { lightStreamsPerPermit: light }
      : {}),
    earlyCompile: on('RAPIDBYTE_EARLY_COMPILE'),
    warmWorker: on('RAPIDBYTE_WARM_WORKER'),
    warmPreload: on('RAPIDBYTE_WARM_PRELOAD'),
    schemaCache: on('RAPIDBYTE_SCHEMA_CACHE'),
    lazyCommands: on('RAPIDBYTE_LAZY_COMMANDS'),
    precompiledSchemas: on('RAPIDBYTE_PRECOMPILED_SCHEMAS'),
    lazyWasmValidation: on('RAPIDBYTE_WASM_LAZY_VALIDATION'),
    connectorsPath: (env.RAPIDBYTE_CONNECTORS_PATH ?? '').split(delimiter).filter(Boolean),
  };
}

let fromProcess: CliEngineOptions | undefined;

/** {@link engineOptionsFromEnv} of this process, read once. */
export function cliEngineOptions(): CliEngineOptions {
  fromProcess ??= engineOptionsFromEnv(process.env, (code) => process.exit(code));
  return fromProcess;
}

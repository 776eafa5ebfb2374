import type { ValidateFunction } from 'ajv';

/**
 * Validators of the built-in schemas (the pipeline and project schemas, the built-in connectors'
 * config schemas), compiled at build time, by the schema's JSON text. `tsc` emits this empty map;
 * the build then replaces it with the generated one (`scripts/precompile-schemas.mjs`).
 */
export const PRECOMPILED_VALIDATORS: ReadonlyMap<string, ValidateFunction> = new Map();

import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { fromPointer, type ConfigPath } from './config-path.js';
import { PRECOMPILED_VALIDATORS } from './precompiled-validators.js';
import type { IssueCollector } from './issue-collector.js';

// addUsedSchema: false: one shared ajv compiles schemas that may carry the same `$id`
const AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true, addUsedSchema: false };

/**
 * Compiled validators of this thread by schema (its JSON text) and trust, and one ajv per dialect
 * and trust: each schema and each meta-schema is compiled once per process, however often a
 * pipeline (or a project's pipelines) is validated. A schema that does not compile is cached as
 * its error.
 */
const compiled = new Map<string, ValidateFunction | Error>();
const ajvs = new Map<string, Ajv>();
let caching = true;

/** Turns the compiled-schema cache off (`false`: a fresh ajv per validation, to measure what it saves) or on again. */
export function cacheSchemaValidators(on: boolean): void {
  caching = on;
  if (!on) {
    compiled.clear();
    ajvs.clear();
  }
}

let precompiled = true;

/** Turns the build's precompiled validators of the built-in schemas off (`false`: compile them at run time, to measure what they save) or on again. */
export function usePrecompiledValidators(on: boolean): void {
  precompiled = on;
}

function compileSchema(schema: object, trusted: boolean): ValidateFunction {
  const text = JSON.stringify(schema);
  // a built-in schema was compiled (and checked against its meta-schema) when the engine was built
  const built = precompiled ? PRECOMPILED_VALIDATORS.get(text) : undefined;
  if (built) return built;
  if (!caching) return createAjv(schema, trusted).compile(schema);
  const key = `${trusted ? 't' : 'u'}${text}`;
  let found = compiled.get(key);
  if (!found) {
    const dialect = `${trusted ? 't' : 'u'}${dialectOf(schema)}`;
    let ajv = ajvs.get(dialect);
    if (!ajv) {
      ajv = createAjv(schema, trusted);
      ajvs.set(dialect, ajv);
    }
    try {
      found = ajv.compile(schema);
    } catch (error) {
      found = error as Error;
    }
    compiled.set(key, found);
  }
  if (found instanceof Error) throw found;
  return found;
}

/**
 * Validates `data` (found at `base` in the file) against a JSON Schema and turns every ajv
 * error into a located issue worded for people: unknown keys name the allowed keys, enum
 * errors name the key, the value and the allowed values, missing keys point at their parent.
 * Returns false when the schema itself cannot be compiled (reported as an issue at `base`).
 * `trusted`: the engine's own schema (not checked against its meta-schema).
 */
export function validateWithSchema(
  schema: object,
  data: unknown,
  base: ConfigPath,
  issues: IssueCollector,
  schemaName: string,
  trusted = false,
): boolean {
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema, trusted);
  } catch (err) {
    issues.add(base, `${schemaName} is not a valid JSON Schema: ${(err as Error).message}`);
    return false;
  }
  if (validate(data)) return true;
  const errors = relevantErrors(validate.errors ?? []);
  const seen = new Set<string>();
  for (const error of errors) {
    const { path, message, prefer } = describeError(error, base, issues);
    const id = `${path.join('/')}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.add(path, message, prefer);
  }
  return true;
}

/**
 * An ajv for the schema's dialect. `trusted` (the engine's own schema, covered by its tests)
 * skips checking the schema against its meta-schema: compiling the meta-schema took ~50 ms of
 * every run's start-up. Connector schemas are always checked.
 */
/**
 * ajv (and its code generator) is loaded only when a schema is compiled at run time: the built-in
 * schemas come precompiled, so a run of built-in connectors never loads it (~100 ms of start-up).
 */
const loadLazily = createRequire(import.meta.url);
type AjvClass = new (options: Options) => Ajv;

function createAjv(schema: object, trusted: boolean): Ajv {
  const options: Options = trusted ? { ...AJV_OPTIONS, validateSchema: false } : AJV_OPTIONS;
  const dialect = dialectOf(schema);
  if (dialect === '2020-12') return new (loadLazily('ajv/dist/2020.js') as { Ajv2020: AjvClass }).Ajv2020(options);
  if (dialect === '2019-09') return new (loadLazily('ajv/dist/2019.js') as { Ajv2019: AjvClass }).Ajv2019(options);
  return new (loadLazily('ajv') as { Ajv: AjvClass }).Ajv(options);
}

function dialectOf(schema: object): '2020-12' | '2019-09' | 'draft-07' {
  const declared = String((schema as { $schema?: unknown }).$schema ?? '');
  return declared.includes('2020-12') ? '2020-12' : declared.includes('2019-09') ? '2019-09' : 'draft-07';
}

/** Drops the per-branch noise of anyOf/oneOf (their own error speaks for them) and `if`. */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return errors.filter(
    (e) => e.keyword !== 'if' && !alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`)),
  );
}

function describeError(
  error: ErrorObject,
  base: ConfigPath,
  issues: IssueCollector,
): { path: ConfigPath; message: string; prefer: 'key' | 'value' } {
  const path = [...base, ...fromPointer(error.instancePath)];
  const key = lastKey(path);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as { properties?: object; description?: unknown; 'x-expected'?: unknown };
  // `x-expected` phrases what a value must be ("either url, or host + user + database");
  // a plain `description` serves when it is written that way.
  const expectedPhrase = parent['x-expected'] ?? parent.description;
  const described = typeof expectedPhrase === 'string' ? expectedPhrase : undefined;
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const unknown = String(params.additionalProperty ?? params.unevaluatedProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const list = allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : 'no keys are allowed here';
      return { path: [...path, unknown], message: `unknown key '${unknown}'; ${list}`, prefer: 'key' };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return { path: [...path, missing], message: `missing required key '${missing}'`, prefer: 'value' };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
      return {
        path,
        message: `invalid ${key} ${issues.show(path, error.data)}; allowed values: ${allowed}`,
        prefer: 'value',
      };
    }
    case 'const':
      return {
        path,
        message: `${key} must be ${JSON.stringify(params.allowedValue)}, got ${issues.show(path, error.data)}`,
        prefer: 'value',
      };
    case 'type': {
      const expected = [params.type].flat().join(' or ');
      return { path, message: `${key} must be ${expected}, got ${kindOf(path, error.data, issues)}`, prefer: 'value' };
    }
    case 'anyOf':
    case 'oneOf':
      return {
        path,
        message: `${key} must be ${described ?? 'one of the allowed forms'}, got ${kindOf(path, error.data, issues)}`,
        prefer: 'value',
      };
    default: {
      const rule = described === undefined ? (error.message ?? `fails ${error.keyword}`) : `must be ${described}`;
      return { path, message: `${key} ${rule}, got ${kindOf(path, error.data, issues)}`, prefer: 'value' };
    }
  }
}

function lastKey(path: ConfigPath): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return String(path[i]);
  return 'document';
}

function kindOf(path: ConfigPath, data: unknown, issues: IssueCollector): string {
  if (data === null || data === undefined) return 'an empty value';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  return `${typeof data} ${issues.show(path, data)}`;
}

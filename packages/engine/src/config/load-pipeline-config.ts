import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { buildPipelineConfig, type EndpointFields } from './build-pipeline-config.js';
import { checkSchedule } from './check-schedule.js';
import { checkNotifications } from './build-notifications-config.js';
import { checkAlerts } from './build-alerts-config.js';
import { checkStreams } from './check-streams.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import type { ConfigPath } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import { IssueCollector } from './issue-collector.js';
import { BYTE_SIZE_PATTERN, parseByteSize } from './parse-byte-size.js';
import { DURATION_PATTERN, parseDuration } from './parse-duration.js';
import type { PipelineConfig, StreamConfig } from './pipeline-config.js';
import { deadLetterTableCollisions, destinationTableCollisions } from './destination-table-collisions.js';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';
import { readYamlTree } from './read-yaml-tree.js';
import { redactValues } from './redact-secrets.js';
import { validateWithSchema } from './schema-validator.js';
import { YamlLocations } from './yaml-locations.js';

/** The role a connector plays in a pipeline. */
export type ConnectorRole = 'source' | 'destination' | 'transform';

/**
 * What the loader needs to know about a connector named in `use:`, supplied by the caller (the
 * runtime's registry): its config schema, and the config fields that name endpoints (manifest
 * `endpointFields`), whose hosts the connector may reach without `allowed_hosts`.
 */
export interface ConnectorSchemaResolver {
  (
    use: string,
    role: ConnectorRole,
  ): { readonly configSchema: object; readonly endpointFields?: readonly string[] } | undefined;
}

export interface LoadPipelineOptions {
  /** Variables for `${VAR}` (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly resolveConnector: ConnectorSchemaResolver;
  /** The file's text when it is already read (a cluster job carries it); `file` still names it and anchors relative paths. */
  readonly text?: string;
}

const MIN_NET_SECRET = 4;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads, interpolates and validates a pipeline file (see docs/architecture.md#configuration) and returns it deeply frozen.
 * Throws one {@link ConfigError} listing every issue found (unreadable file, YAML syntax,
 * unset variables, schema and semantic errors, connector config errors), each with file:line.
 */
export function loadPipelineConfig(file: string, options: LoadPipelineOptions): PipelineConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = options.text ?? readFileSync(abs, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError([{ file: abs, path: '', message: `cannot read pipeline file (${reason})` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError([syntaxIssue(abs, text, doc.errors, lineCounter)]);

  const secrets = new Set<string>();
  const issues = new IssueCollector(abs, new YamlLocations(lineCounter), secrets);
  const data = readYamlTree({ doc, env: options.env, issues, secrets });
  validateWithSchema(PIPELINE_SCHEMA, data, [], issues, 'pipeline schema', true);
  checkStreams(data, issues);
  checkStateAndResources(data, issues);
  const endpoints = checkConnectors(data, options.resolveConnector, issues);
  checkSchedule(data, issues);
  checkNotifications(data, issues);
  checkAlerts(data, issues);

  // table collisions need the resolved names, so they are checked on the built config
  const built = issues.issues.length === 0 ? buildPipelineConfig(data as Raw, abs, [...secrets], endpoints) : undefined;
  if (built) checkDestinationTables(built, issues);
  if (issues.issues.length > 0) {
    const sorted = [...issues.issues].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    // Messages never echo secrets by construction; this is the safety net (long enough not to mangle words).
    const net = [...secrets].filter((v) => v.length >= MIN_NET_SECRET);
    throw new ConfigError(sorted.map((i) => ({ ...i, message: redactValues(i.message, net) })));
  }
  return deepFreeze(built as PipelineConfig);
}

/** Streams listed by name that would load into one destination table (patterns are checked once expanded). */
function checkDestinationTables(config: PipelineConfig, issues: IssueCollector): void {
  const streams = config.source.streams;
  for (const collision of destinationTableCollisions(streams)) {
    const second = streams.indexOf(collision.streams[1] as StreamConfig);
    issues.add(['source', 'streams', second, 'name'], collision.message);
  }
  for (const { message } of deadLetterTableCollisions(config)) issues.add(['destination', 'dlq', 'table'], message);
}

/** The first YAML error only: the ones after it are usually its echoes. */
function syntaxIssue(file: string, text: string, errors: readonly YAMLError[], lineCounter: LineCounter): ConfigIssue {
  const first = errors[0];
  const pos = lineCounter.linePos(first.pos[0]);
  const sourceLine = text.split(/\r?\n/)[pos.line - 1] ?? '';
  let message = `YAML syntax error: ${first.message.split('\n')[0]}`;
  if (sourceLine.includes('${')) message += ' (hint: quote values that contain ${...}, e.g. "${VAR}")';
  if (errors.length > 1) message += ` (${errors.length - 1} more error(s) follow from it)`;
  return { file, line: pos.line, column: pos.col, path: '', message };
}

function checkStateAndResources(data: unknown, issues: IssueCollector): void {
  if (!isObject(data)) return;
  const state = data.state;
  if (isObject(state) && state.backend === 'postgres' && state.connection === undefined) {
    issues.add(['state', 'connection'], "backend 'postgres' needs a connection (a postgres:// URL)");
  }
  for (const key of ['max_batch_bytes', 'checkpoint_interval_bytes', 'connector_memory']) {
    const size = isObject(data.resources) ? data.resources[key] : undefined;
    // Shapes the schema rejects are reported by it; this catches '0mb' and overflow.
    if (typeof size === 'string' && new RegExp(BYTE_SIZE_PATTERN).test(size) && parseByteSize(size) === undefined) {
      const at = ['resources', key];
      issues.add(at, `${key} must be a positive size that fits in a safe integer, got ${issues.show(at, size)}`);
    }
  }
  const resources = isObject(data.resources) ? data.resources : {};
  const timeouts = isObject(resources.timeouts) ? resources.timeouts : {};
  const retry = isObject(resources.retry) ? resources.retry : {};
  for (const [at, value, example] of [
    [['resources', 'connector_step_timeout'], resources.connector_step_timeout, "'60s' or '500ms'"],
    [['resources', 'stall_timeout'], resources.stall_timeout, "'60s', '30s' or '2m'"],
    [['resources', 'timeouts', 'stream'], timeouts.stream, "'30m' or '2h'"],
    [['resources', 'timeouts', 'run'], timeouts.run, "'2h' or '90m'"],
    [['resources', 'retry', 'initial_delay'], retry.initial_delay, "'500ms' or '2s'"],
    [['resources', 'retry', 'max_delay'], retry.max_delay, "'30s' or '5m'"],
  ] as const) {
    // '0s' matches the pattern: the schema lets it through
    if (typeof value === 'string' && new RegExp(DURATION_PATTERN).test(value) && parseDuration(value) === undefined) {
      const key = at[at.length - 1] as string;
      issues.add([...at], `${key} must be a positive duration like ${example}, got ${issues.show(at, value)}`);
    }
  }
  if (resources.max_retries !== undefined && retry.max_retries !== undefined) {
    const at = ['resources', 'max_retries'];
    issues.add(
      at,
      `max_retries is set twice: here (${issues.show(at, resources.max_retries)}) and as resources.retry.max_retries; keep only resources.retry.max_retries`,
    );
  }
  const initial = durationOf(retry.initial_delay);
  const max = durationOf(retry.max_delay);
  if (initial !== undefined && max !== undefined && initial > max) {
    const at = ['resources', 'retry', 'initial_delay'];
    issues.add(
      at,
      `initial_delay must not exceed max_delay, got initial_delay ${issues.show(at, retry.initial_delay)} and max_delay ${issues.show(['resources', 'retry', 'max_delay'], retry.max_delay)}`,
    );
  }
}

/** A duration the schema accepts as written, in ms; undefined when absent or invalid (reported elsewhere). */
function durationOf(value: unknown): number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
}

/** Validates each connector's config against its schema; returns the endpoint fields of each. */
function checkConnectors(data: unknown, resolve: ConnectorSchemaResolver, issues: IssueCollector): EndpointFields {
  const endpoints: {
    source?: readonly string[];
    destination?: readonly string[];
    transforms: (readonly string[] | undefined)[];
  } = { transforms: [] };
  if (!isObject(data)) return endpoints;
  const refs: [ConnectorRole, ConfigPath, unknown][] = [
    ['source', ['source'], data.source],
    ['destination', ['destination'], data.destination],
  ];
  if (Array.isArray(data.transforms)) {
    data.transforms.forEach((t, i) => refs.push(['transform', ['transforms', i], t]));
  }
  for (const [role, at, ref] of refs) {
    if (!isObject(ref) || typeof ref.use !== 'string' || ref.use === '') continue;
    const resolved = resolve(ref.use, role);
    if (resolved === undefined) {
      issues.add([...at, 'use'], `unknown ${role} connector '${ref.use}'`);
      continue;
    }
    if (role === 'transform') endpoints.transforms[at[1] as number] = resolved.endpointFields;
    else endpoints[role] = resolved.endpointFields;
    const config = ref.config ?? {};
    if (!isObject(config)) continue; // the pipeline schema already reported it
    validateWithSchema(resolved.configSchema, config, [...at, 'config'], issues, `config schema of '${ref.use}'`);
  }
  return endpoints;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { loadPipelineConfig, type ConnectorSchemaResolver } from './load-pipeline-config.js';
import { redactSecrets } from './redact-secrets.js';

const PG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    user: { type: 'string' },
    password: { type: 'string' },
    database: { type: 'string' },
    sslmode: { enum: ['disable', 'require', 'verify-full'] },
    schema: { type: 'string' },
  },
};
const resolveConnector: ConnectorSchemaResolver = (use) =>
  use === 'source-postgres' || use === 'dest-postgres' ? { configSchema: PG_SCHEMA } : undefined;

const EXAMPLE = `version: "1.0"
pipeline: shop_to_wh
source:
  use: source-postgres
  config: { url: "postgres://reader:\${SHOP_PW}@127.0.0.1:5432/shop" }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
    - { name: public.users,  sync_mode: incremental, cursor_field: updated_at, columns: [id, email, updated_at] }
    - { name: public.orders, sync_mode: full_refresh }
    - { name: public.events, sync_mode: cdc }
transforms: []
destination:
  use: dest-postgres
  config: { url: "postgres://loader:\${WH_PW}@127.0.0.1:5432/wh", schema: raw }
  write_mode: upsert
  primary_key: [id]
  on_data_error: dlq
  schema_evolution: { new_column: add, removed_column: ignore, type_change: fail, nullability_change: allow }
state: { backend: sqlite, connection: .rapidbyte/state.db }
resources: { parallelism: auto, max_batch_bytes: 8mb, checkpoint_interval_rows: 500000, max_retries: 3 }
`;
const ENV = { SHOP_PW: 'shop-secret-1', WH_PW: 'wh-secret-2' };

function writePipeline(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-config-'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** EXAMPLE with line `n` (1-based) replaced. */
function withLine(n: number, line: string, yaml = EXAMPLE): string {
  const lines = yaml.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

function load(yaml: string, env: Record<string, string> = ENV) {
  return loadPipelineConfig(writePipeline(yaml), { env, resolveConnector });
}

function loadError(yaml: string, env: Record<string, string> = ENV): ConfigError {
  try {
    load(yaml, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function issueAt(error: ConfigError, pathText: string): ConfigIssue {
  const issue = error.issues.find((i) => i.path === pathText);
  expect(issue, `no issue at ${pathText}; got ${error.message}`).toBeDefined();
  return issue as ConfigIssue;
}

describe('loadPipelineConfig: the example of docs/architecture.md#configuration', () => {
  it('loads with the resolved camelCase shape', () => {
    const file = writePipeline(EXAMPLE);
    const config = loadPipelineConfig(file, { env: ENV, resolveConnector });
    const dir = path.dirname(file);
    expect(config.version).toBe('1.0');
    expect(config.pipeline).toBe('shop_to_wh');
    expect(config.file).toBe(file);
    expect(config.source.use).toBe('source-postgres');
    expect(config.source.config).toEqual({ url: 'postgres://reader:shop-secret-1@127.0.0.1:5432/shop' });
    expect(config.source.permissions).toEqual({ network: { allowedHosts: ['127.0.0.1'] }, fs: { allowedPaths: [] } });
    expect(config.source.streams).toEqual([
      {
        name: 'public.users',
        syncMode: 'incremental',
        cursorField: 'updated_at',
        columns: ['id', 'email', 'updated_at'],
        writeMode: 'upsert',
        primaryKey: ['id'],
      },
      { name: 'public.orders', syncMode: 'full_refresh', writeMode: 'upsert', primaryKey: ['id'] },
      { name: 'public.events', syncMode: 'cdc', writeMode: 'upsert', primaryKey: ['id'] },
    ]);
    expect(config.transforms).toEqual([]);
    expect(config.destination).toMatchObject({
      use: 'dest-postgres',
      config: { url: 'postgres://loader:wh-secret-2@127.0.0.1:5432/wh', schema: 'raw' },
      writeMode: 'upsert',
      primaryKey: ['id'],
      onDataError: 'dlq',
      schemaEvolution: { newColumn: 'add', removedColumn: 'ignore', typeChange: 'fail', nullabilityChange: 'allow' },
    });
    expect(config.state).toEqual({ backend: 'sqlite', connection: path.join(dir, '.rapidbyte', 'state.db') });
    expect(config.resources).toEqual({
      parallelism: 'auto',
      maxBatchBytes: 8 * 1024 * 1024,
      batchRows: 65536,
      checkpointIntervalRows: 500000,
      checkpointIntervalBytes: 256 * 1024 * 1024,
      retry: { backoff: 'exponential', initialDelayMs: 500, maxDelayMs: 30_000, jitter: 'half', maxRetries: 3 },
      timeouts: {},
      connectorMemoryBytes: 512 * 1024 * 1024,
      connectorStepTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
    });
  });

  it('is deeply frozen', () => {
    const config = load(EXAMPLE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.source.streams[0].columns)).toBe(true);
    expect(Object.isFrozen(config.destination.config)).toBe(true);
    expect(Object.isFrozen(config.source.permissions.network.allowedHosts)).toBe(true);
    expect(() => {
      (config.resources.retry as { maxRetries: number }).maxRetries = 9;
    }).toThrow(TypeError);
    expect(() => {
      (config.source.streams as unknown as string[]).push('x');
    }).toThrow(TypeError);
  });

  it('applies defaults and resolves paths against the pipeline directory', () => {
    const file = writePipeline(`version: "1.0"
pipeline: minimal
source:
  use: source-postgres
  permissions: { fs: { allowed_paths: [data, /abs/dir] } }
  streams: [{ name: users, sync_mode: full_refresh, primary_key: uid, destination_table: people }]
destination: { use: dest-postgres }
state: { connection: state/rb.db }
resources: { max_batch_bytes: 512kb, parallelism: 4 }
`);
    const config = loadPipelineConfig(file, { env: {}, resolveConnector });
    const dir = path.dirname(file);
    expect(config.source.config).toEqual({});
    expect(config.source.permissions.fs.allowedPaths).toEqual([path.join(dir, 'data'), path.resolve('/abs/dir')]);
    expect(config.source.streams[0]).toEqual({
      name: 'users',
      syncMode: 'full_refresh',
      writeMode: 'append',
      primaryKey: ['uid'],
      destinationTable: 'people',
      destinationTableExplicit: true,
    });
    expect(config.destination.writeMode).toBe('append');
    expect(config.destination.primaryKey).toBeUndefined();
    expect(config.destination.onDataError).toBe('fail');
    expect(config.destination.schemaEvolution).toEqual({
      newColumn: 'add',
      removedColumn: 'ignore',
      typeChange: 'fail',
      nullabilityChange: 'allow',
    });
    expect(config.transforms).toEqual([]);
    expect(config.state).toEqual({ backend: 'sqlite', connection: path.join(dir, 'state', 'rb.db') });
    expect(config.resources).toEqual({
      parallelism: 4,
      maxBatchBytes: 512 * 1024,
      batchRows: 65536,
      checkpointIntervalRows: 500000,
      checkpointIntervalBytes: 256 * 1024 * 1024,
      retry: { backoff: 'exponential', initialDelayMs: 500, maxDelayMs: 30_000, jitter: 'half', maxRetries: 3 },
      timeouts: {},
      connectorMemoryBytes: 512 * 1024 * 1024,
      connectorStepTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
    });
  });

  it('defaults the sqlite state DB to .rapidbyte/state.db beside the pipeline file', () => {
    const file = writePipeline(withLine(19, ''));
    const config = loadPipelineConfig(file, { env: ENV, resolveConnector });
    expect(config.state.connection).toBe(path.join(path.dirname(file), '.rapidbyte', 'state.db'));
  });
});

describe('loadPipelineConfig: ${VAR} interpolation', () => {
  it('lists every missing variable in one error, each with its line and key path', () => {
    const error = loadError(EXAMPLE, {});
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.kind).toBe('permanent');
    expect(error.issues).toHaveLength(2);
    const shop = issueAt(error, 'source.config.url');
    expect(shop).toMatchObject({ line: 5, column: 18 });
    expect(shop.message).toContain('SHOP_PW');
    const wh = issueAt(error, 'destination.config.url');
    expect(wh).toMatchObject({ line: 14 });
    expect(wh.message).toContain('WH_PW');
    expect(error.message).toContain(`${shop.file}:5:18: source.config.url: environment variable SHOP_PW is not set`);
    expect(error.message).toContain(':14:');
  });

  it('percent-encodes a password with @:/% inside a URL userinfo so the URL still parses', () => {
    const config = load(EXAMPLE, { SHOP_PW: 'p@ss:w/rd%', WH_PW: 'x' });
    const url = new URL(config.source.config.url as string);
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd%');
    expect(url.hostname).toBe('127.0.0.1');
    expect(config.source.config.url).toBe('postgres://reader:p%40ss%3Aw%2Frd%25@127.0.0.1:5432/shop');
  });

  it('uses ${VAR:-default} when unset or empty, and keeps $${ literal', () => {
    const yaml = withLine(
      14,
      '  config: { url: "postgres://loader:${WH_PW:-dflt}@h/wh", schema: "$${not_a_var}", user: "${U:-anon}" }',
    );
    const config = load(yaml, { SHOP_PW: 'a', WH_PW: '' });
    expect(config.destination.config).toEqual({
      url: 'postgres://loader:dflt@h/wh',
      schema: '${not_a_var}',
      user: 'anon',
    });
  });

  it('types an unquoted whole ${VAR} like YAML would, keeps a quoted one a string', () => {
    const yaml = withLine(
      14,
      '  config:\n    port: ${PORT}\n    password: "${PORT}"',
      withLine(20, 'resources:\n  max_retries: ${RETRIES}\n  batch_rows: "${ROWS}"'),
    );
    const error = loadError(yaml, { ...ENV, RETRIES: '7', PORT: '5432', ROWS: '100' });
    // batch_rows is quoted, so it stays the string "100": a type error that shows ${ROWS}, not 100.
    expect(error.issues, error.message).toHaveLength(1);
    const issue = issueAt(error, 'resources.batch_rows');
    expect(issue.line).toBe(24);
    expect(issue.message).toBe('batch_rows must be integer, got string "${ROWS}"');
    const ok = load(
      withLine(14, '  config:\n    port: ${PORT}', withLine(20, 'resources:\n  max_retries: ${RETRIES}')),
      {
        ...ENV,
        RETRIES: '7',
        PORT: '5432',
      },
    );
    expect(ok.resources.retry.maxRetries).toBe(7);
    expect(ok.destination.config.port).toBe(5432);
  });

  it('an unquoted ${VAR} inside a flow mapping is a YAML syntax error with a hint to quote it', () => {
    const error = loadError(withLine(14, '  config: { port: ${PORT} }'), { ...ENV, PORT: '1' });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].line).toBe(14);
    expect(error.issues[0].message).toContain('quote');
  });

  it('reports a malformed reference', () => {
    const error = loadError(withLine(14, '  config: { url: "postgres://x:${WH PW}@h/wh" }'));
    expect(issueAt(error, 'destination.config.url')).toMatchObject({ line: 14 });
    expect(issueAt(error, 'destination.config.url').message).toContain('invalid variable reference');
  });
});

describe('loadPipelineConfig: pipeline schema issues', () => {
  it('unknown key names the key and the allowed keys, at the key', () => {
    const yaml = withLine(9, '    - { name: public.orders, sync_mode: full_refresh, colour: red }');
    const issue = issueAt(loadError(yaml), 'source.streams[1].colour');
    expect(issue).toMatchObject({ line: 9, column: 55 });
    expect(issue.message).toBe(
      "unknown key 'colour'; allowed keys: name, sync_mode, cursor_field, on_null_cursor, lookback, columns, write_mode, primary_key, destination_table, exclude, schema_evolution, shards",
    );
  });

  it('unknown top-level key', () => {
    const issue = issueAt(loadError(`${EXAMPLE}sources: {}\n`), 'sources');
    expect(issue).toMatchObject({ line: 21, column: 1 });
    expect(issue.message).toContain("unknown key 'sources'; allowed keys: version, pipeline, source, transforms");
  });

  it('bad enum value names the key, the value and the allowed values', () => {
    const yaml = withLine(9, '    - { name: public.orders, sync_mode: full_refersh }');
    const issue = issueAt(loadError(yaml), 'source.streams[1].sync_mode');
    expect(issue).toMatchObject({ line: 9, column: 41 });
    expect(issue.message).toBe('invalid sync_mode "full_refersh"; allowed values: full_refresh, incremental, cdc');
  });

  it('bad enum values in destination and state', () => {
    const yaml = withLine(17, '  on_data_error: ignore', withLine(19, 'state: { backend: mysql }'));
    const error = loadError(yaml);
    expect(issueAt(error, 'destination.on_data_error')).toMatchObject({
      line: 17,
      message: 'invalid on_data_error "ignore"; allowed values: fail, skip, dlq',
    });
    expect(issueAt(error, 'state.backend')).toMatchObject({
      line: 19,
      message: 'invalid backend "mysql"; allowed values: sqlite, postgres',
    });
  });

  it('missing required key points at the parent mapping', () => {
    const issue = issueAt(loadError(withLine(13, '  # use: dest-postgres')), 'destination.use');
    expect(issue).toMatchObject({ line: 14, column: 3 });
    expect(issue.message).toBe("missing required key 'use'");
  });

  it('wrong type', () => {
    const yaml = withLine(20, 'resources: { parallelism: lots, max_retries: three, max_batch_bytes: huge }');
    const error = loadError(yaml);
    expect(issueAt(error, 'resources.max_retries')).toMatchObject({
      line: 20,
      column: 46,
      message: 'max_retries must be integer, got string "three"',
    });
    expect(issueAt(error, 'resources.parallelism').message).toBe(
      `parallelism must be a positive integer or 'auto', got string "lots"`,
    );
    expect(issueAt(error, 'resources.max_batch_bytes').message).toContain("a size like '8mb'");
  });

  it('version and pipeline name', () => {
    const error = loadError(withLine(1, 'version: 2', withLine(2, 'pipeline: shop to wh')));
    expect(issueAt(error, 'version')).toMatchObject({ line: 1, message: 'invalid version 2; allowed values: 1.0' });
    expect(issueAt(error, 'pipeline')).toMatchObject({ line: 2 });
  });

  it('YAML syntax errors carry the line', () => {
    const error = loadError(withLine(9, '    - { name: public.orders, sync_mode: full_refresh'));
    expect(error.issues[0].line).toBeGreaterThanOrEqual(9);
    expect(error.issues[0].message).toMatch(/^YAML syntax error/);
  });

  it('duplicate YAML keys are syntax errors with the line', () => {
    const error = loadError(withLine(17, '  on_data_error: dlq\n  on_data_error: fail'));
    expect(error.issues[0]).toMatchObject({ line: 18 });
  });

  it('unreadable file', () => {
    const missing = path.join(os.tmpdir(), 'rb-no-such-dir', 'nope.yaml');
    expect(() => loadPipelineConfig(missing, { env: {}, resolveConnector })).toThrow(
      /nope\.yaml: cannot read pipeline file \(ENOENT\)/,
    );
  });
});

describe('loadPipelineConfig: semantic checks', () => {
  it('invalid (sync_mode, write_mode) pair from the destination names the stream and valid modes', () => {
    const issue = issueAt(loadError(withLine(15, '  write_mode: replace')), 'destination.write_mode');
    expect(issue.line).toBe(15);
    expect(issue.message).toBe(
      "stream 'public.users': write_mode 'replace' cannot be used with sync_mode 'incremental'; valid write modes for incremental: append, upsert",
    );
  });

  it('invalid pair from a stream override', () => {
    const yaml = withLine(10, '    - { name: public.events, sync_mode: cdc, write_mode: replace }');
    const issue = issueAt(loadError(yaml), 'source.streams[2].write_mode');
    expect(issue.line).toBe(10);
    expect(issue.message).toContain('valid write modes for cdc: upsert, append');
  });

  it('incremental without cursor_field', () => {
    const yaml = withLine(8, '    - { name: public.users, sync_mode: incremental }');
    const issue = issueAt(loadError(yaml), 'source.streams[0].cursor_field');
    expect(issue.line).toBe(8);
    expect(issue.message).toBe("stream 'public.users': sync_mode 'incremental' needs a cursor_field");
  });

  it('on_null_cursor: fail, skip or include on an incremental stream; elsewhere a config error', () => {
    const ok = load(
      withLine(
        8,
        '    - { name: public.users, sync_mode: incremental, cursor_field: updated_at, on_null_cursor: include }',
      ),
    );
    expect(ok.source.streams[0]?.onNullCursor).toBe('include');
    expect(load(EXAMPLE).source.streams[0]?.onNullCursor).toBeUndefined();
    const wrongMode = issueAt(
      loadError(withLine(9, '    - { name: public.orders, sync_mode: full_refresh, on_null_cursor: skip }')),
      'source.streams[1].on_null_cursor',
    );
    expect(wrongMode.message).toBe(
      "stream 'public.orders': on_null_cursor applies to sync_mode 'incremental' only (the stream is 'full_refresh')",
    );
    const bad = loadError(
      withLine(
        8,
        '    - { name: public.users, sync_mode: incremental, cursor_field: updated_at, on_null_cursor: maybe }',
      ),
    );
    expect(bad.message).toMatch(/on_null_cursor/);
  });

  it('columns without the cursor_field', () => {
    const yaml = withLine(
      8,
      '    - { name: public.users, sync_mode: incremental, cursor_field: updated_at, columns: [id, email] }',
    );
    const issue = issueAt(loadError(yaml), 'source.streams[0].columns');
    expect(issue.line).toBe(8);
    expect(issue.message).toContain("columns must include the cursor_field 'updated_at'");
  });

  it('duplicate stream names (a bare name means public)', () => {
    const yaml = withLine(10, '    - { name: orders, sync_mode: cdc }');
    const issue = issueAt(loadError(yaml), 'source.streams[2].name');
    expect(issue.line).toBe(10);
    expect(issue.message).toBe("duplicate stream 'public.orders' (first defined on line 9)");
  });

  it('upsert without primary_key is allowed (the source table key is the default)', () => {
    const config = load(withLine(16, ''));
    expect(config.destination.primaryKey).toBeUndefined();
    expect(config.source.streams[2]).toEqual({ name: 'public.events', syncMode: 'cdc', writeMode: 'upsert' });
  });

  it('postgres state backend needs a connection', () => {
    const issue = issueAt(loadError(withLine(19, 'state: { backend: postgres }')), 'state.connection');
    expect(issue.line).toBe(19);
  });

  it('lists schema, semantic and variable issues together', () => {
    const yaml = withLine(
      8,
      '    - { name: public.users, sync_mode: incremental }',
      withLine(17, '  on_data_error: nope'),
    );
    const error = loadError(yaml, { WH_PW: 'x' });
    expect(error.issues.map((i) => i.line)).toEqual([5, 8, 17]);
  });
});

describe('loadPipelineConfig: connector configs', () => {
  it('validates against the connector schema with lines and allowed keys/values', () => {
    const yaml = withLine(
      14,
      '  config: { url: "postgres://h/wh", sslmod: require, sslmode: sometimes, port: "5432" }',
    );
    const error = loadError(yaml);
    const unknown = issueAt(error, 'destination.config.sslmod');
    expect(unknown).toMatchObject({ line: 14, column: 37 });
    expect(unknown.message).toBe(
      "unknown key 'sslmod'; allowed keys: url, host, port, user, password, database, sslmode, schema",
    );
    expect(issueAt(error, 'destination.config.sslmode').message).toBe(
      'invalid sslmode "sometimes"; allowed values: disable, require, verify-full',
    );
    expect(issueAt(error, 'destination.config.port').message).toBe('port must be integer, got string "5432"');
  });

  it('collapses oneOf branches into one issue and reads 2020-12 schemas', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { url: { type: 'string' }, host: { type: 'string' }, database: { type: 'string' } },
      oneOf: [{ required: ['url'] }, { required: ['host', 'database'] }],
      description: 'either url, or host and database',
    };
    const file = writePipeline(withLine(5, '  config: { host: h }'));
    try {
      loadPipelineConfig(file, { env: ENV, resolveConnector: () => ({ configSchema: schema }) });
      expect.unreachable();
    } catch (err) {
      const error = err as ConfigError;
      expect(error.issues, error.message).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({
        path: 'source.config',
        line: 5,
        message: 'config must be either url, or host and database, got a mapping',
      });
    }
  });

  it('unknown connector names use', () => {
    const yaml = withLine(11, 'transforms: [{ use: mask-pii }]');
    const issue = issueAt(loadError(yaml), 'transforms[0].use');
    expect(issue.line).toBe(11);
    expect(issue.message).toBe("unknown transform connector 'mask-pii'");
  });

  it('passes the role to the resolver and validates transform configs', () => {
    const roles: string[] = [];
    const file = writePipeline(withLine(11, 'transforms: [{ use: rename, config: { from: a, to: b } }]'));
    const config = loadPipelineConfig(file, {
      env: ENV,
      resolveConnector: (use, role) => {
        roles.push(`${role}:${use}`);
        return use === 'rename'
          ? {
              configSchema: {
                type: 'object',
                required: ['from', 'to'],
                properties: { from: { type: 'string' }, to: { type: 'string' } },
              },
            }
          : resolveConnector(use, role);
      },
    });
    expect(roles).toEqual(['source:source-postgres', 'destination:dest-postgres', 'transform:rename']);
    expect(config.transforms[0]).toEqual({
      use: 'rename',
      config: { from: 'a', to: 'b' },
      permissions: { network: { allowedHosts: [] }, fs: { allowedPaths: [] } },
    });
  });

  it('reports a missing required connector key at the config mapping', () => {
    const file = writePipeline(EXAMPLE);
    const schema = { ...PG_SCHEMA, required: ['database'] };
    try {
      loadPipelineConfig(file, { env: ENV, resolveConnector: () => ({ configSchema: schema }) });
      expect.unreachable();
    } catch (err) {
      const issue = issueAt(err as ConfigError, 'source.config.database');
      expect(issue).toMatchObject({ line: 5, message: "missing required key 'database'" });
    }
  });
});

describe('secrets', () => {
  it('never appear in ConfigError messages', () => {
    const yaml = withLine(
      14,
      '  config: { url: "postgres://loader:${WH_PW}@h/wh", sslmode: "${MODE}", password: 12345, user: "${API_TOKEN}" }',
      withLine(17, '  on_data_error: nope'),
    );
    const env = { SHOP_PW: 'p@ss:w/rd%', WH_PW: 'hunter2', MODE: 'sometimes', API_TOKEN: 'tok-999' };
    const error = loadError(yaml, env);
    for (const secret of ['p@ss:w/rd%', 'hunter2', 'sometimes', '12345', 'tok-999']) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.issues)).not.toContain(secret);
    }
    expect(issueAt(error, 'destination.config.sslmode').message).toBe(
      'invalid sslmode "${MODE}"; allowed values: disable, require, verify-full',
    );
    expect(issueAt(error, 'destination.config.password').message).toBe('password must be string, got number (hidden)');
  });

  it('redactSecrets masks URL passwords, password fields and secret-named variables', () => {
    const yaml = withLine(
      14,
      '  config: { url: "postgres://loader:${WH_PW}@h/wh", password: "literal-pw", user: "${API_KEY}", host: "${DB_HOST}" }',
    );
    const config = load(yaml, { SHOP_PW: 'p@ss:w/rd%', WH_PW: 'hunter2', API_KEY: 'key-123', DB_HOST: 'db.internal' });
    const text = [
      'connect postgres://reader:p@ss:w/rd%@127.0.0.1:5432/shop failed',
      `encoded ${encodeURIComponent('p@ss:w/rd%')}`,
      'auth hunter2 literal-pw key-123 on db.internal',
    ].join('\n');
    expect(redactSecrets(text, config)).toBe(
      [
        'connect postgres://reader:***@127.0.0.1:5432/shop failed',
        'encoded ***',
        'auth *** *** *** on db.internal',
      ].join('\n'),
    );
    expect(JSON.stringify(config)).not.toContain('key-123"]'); // the secret list is symbol-keyed, not serialised
  });
});

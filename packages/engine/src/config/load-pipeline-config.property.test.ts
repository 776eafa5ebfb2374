/**
 * Property tests of the pipeline loader: any damage to a valid pipeline file (keys removed or
 * added, values of the wrong type or outside an enum, YAML syntax broken) ends in a successful load
 * or in a ConfigError whose every issue is located in the file, and no secret ever shows in it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConfigError } from './config-error.js';
import { loadPipelineConfig, type ConnectorSchemaResolver } from './load-pipeline-config.js';

/**
 * Fixed so CI runs the same cases; a failure prints the seed and the shrunk counterexample. A load
 * that gets past the YAML parser costs tens of milliseconds (schema validation), hence fewer runs there.
 */
const SEED = 0xc0f19;
const params = { seed: SEED, numRuns: 300 } as const;
const slowParams = { seed: SEED, numRuns: 100 } as const;

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

/** Secrets reach the file through secret-named variables and a literal `password:` value. */
const ENV = { SHOP_PW: 'Shop-S3cr3t:7781#x', WH_PASSWORD: 'wh-Pässwörd-5521', API_TOKEN: 'tok_9f8e7d6c5b4a' };
const LITERAL_PASSWORD = 'literal-Pw-0xDEAD';
const SECRETS = [...Object.values(ENV), LITERAL_PASSWORD];

const VALID = `version: "1.0"
pipeline: shop_to_wh
source:
  use: source-postgres
  config: { url: "postgres://reader:\${SHOP_PW}@127.0.0.1:5432/shop", sslmode: disable }
  permissions: { network: { allowed_hosts: [127.0.0.1] } }
  streams:
    - { name: public.users,  sync_mode: incremental, cursor_field: updated_at, columns: [id, email, updated_at] }
    - { name: public.orders, sync_mode: full_refresh }
    - { name: public.events, sync_mode: cdc }
transforms: []
destination:
  use: dest-postgres
  config: { host: 127.0.0.1, user: loader, password: "\${WH_PASSWORD}", database: "wh-\${API_TOKEN}", schema: raw }
  write_mode: upsert
  primary_key: [id]
  on_data_error: dlq
  schema_evolution: { new_column: add, removed_column: ignore, type_change: fail, nullability_change: allow }
state: { backend: sqlite, connection: .rapidbyte/state.db }
resources: { parallelism: auto, max_batch_bytes: 8mb, checkpoint_interval_rows: 500000, max_retries: 3 }
`;

const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-config-prop-')), 'pipeline.yaml');

/** Loads `yaml`; returns the ConfigError, or undefined when the file is valid. Any other exception fails the property. */
function tryLoad(yaml: string): ConfigError | undefined {
  writeFileSync(file, yaml);
  try {
    loadPipelineConfig(file, { env: ENV, resolveConnector });
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

/** The loader's contract for a damaged file: a located ConfigError (or success) that names no secret. */
function checkOutcome(yaml: string, secrets: readonly string[] = SECRETS): void {
  const error = tryLoad(yaml);
  if (error === undefined) return;
  expect(error.code).toBe('CONFIG_INVALID');
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(issue.file).toBe(file);
    expect(issue.line, `no line for: ${issue.path}: ${issue.message}`).toBeGreaterThanOrEqual(1);
    expect(issue.message.trim()).not.toBe('');
  }
  const shown = `${error.message}\n${JSON.stringify(error.issues)}\n${String(error.stack)}`;
  for (const secret of secrets) expect(shown, `secret ${secret} shown in:\n${error.message}`).not.toContain(secret);
}

type Tree = unknown;
type Key = string | number;

/** Every path to a node of `tree` (the root excluded). */
function paths(tree: Tree, at: Key[] = []): Key[][] {
  if (Array.isArray(tree)) return tree.flatMap((v, i) => [[...at, i], ...paths(v, [...at, i])]);
  if (typeof tree === 'object' && tree !== null)
    return Object.entries(tree).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])]);
  return [];
}

/** The parent of the node at `p` and its key there. */
function parentOf(tree: Tree, p: readonly Key[]): [Record<Key, unknown>, Key] {
  let node = tree as Record<Key, unknown>;
  for (const k of p.slice(0, -1)) node = node[k] as Record<Key, unknown>;
  return [node, p[p.length - 1] as Key];
}

/** Values of the wrong kind for most places: other scalars, enum look-alikes, containers, references. */
const randomValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 60,
    '',
    ' ',
    'auto',
    'cdc',
    'upsert',
    'append',
    'replace',
    'FULL_REFRESH',
    'dlq',
    '1.0',
    1.0,
    '0mb',
    '8 mb',
    '-3',
    'public.*',
    '${SHOP_PW}',
    '${UNSET_VAR}',
    '${',
    '$${SHOP_PW}',
    'a:b',
    '*anchor',
    '!!binary',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('name', 'use', 'config', 'sync_mode', 'x', 'password', 'streams'),
    fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)),
    { maxKeys: 3 },
  ),
);

/**
 * Secrets put where they do not belong: under keys of the wrong type or outside an enum, in
 * containers under a secret key, embedded in connection strings under ordinary keys.
 */
const plantedSecret: fc.Arbitrary<unknown> = fc.constantFrom(
  '${SHOP_PW}',
  'x-${WH_PASSWORD}-y',
  '${API_TOKEN}',
  ['${SHOP_PW}'],
  { v: '${API_TOKEN}' },
  `postgres://u:${LITERAL_PASSWORD}@h/db`,
  `host=h password=${LITERAL_PASSWORD} user=u`,
  `postgres://u:\${SHOP_PW}@h/db`,
  { password: LITERAL_PASSWORD },
  { password: [LITERAL_PASSWORD] },
  { password: { v: LITERAL_PASSWORD } },
  { password: [[LITERAL_PASSWORD]] },
  { api_token: { a: [1, LITERAL_PASSWORD] } },
  { client_secret: 42, password: LITERAL_PASSWORD, sslmode: LITERAL_PASSWORD },
);

/** A structural edit of the parsed file: delete a node, set it to a random value, or add a key beside it. */
type Edit =
  | { readonly op: 'delete'; readonly pick: number }
  | { readonly op: 'set'; readonly pick: number; readonly value: unknown }
  | { readonly op: 'add'; readonly pick: number; readonly key: string; readonly value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: randomValue }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: plantedSecret }),
  fc.record({
    op: fc.constant('add' as const),
    pick: fc.nat(),
    key: fc.oneof(
      fc.constantFrom(
        'name',
        'use',
        'config',
        'streams',
        'sync_mode',
        'cursor_field',
        'primary_key',
        'password',
        'write_mode',
        'extra',
        'table_prefix',
        'dlq',
      ),
      fc.string({ maxLength: 10 }),
    ),
    value: fc.oneof(randomValue, plantedSecret),
  }),
);

function applyEdits(edits: readonly Edit[]): Tree {
  const tree = parse(VALID) as Tree;
  (tree as { destination: { config: Record<string, unknown> } }).destination.config.user = 'loader';
  (tree as { source: { config: Record<string, unknown> } }).source.config.password = LITERAL_PASSWORD;
  for (const e of edits) {
    const all = paths(tree);
    if (all.length === 0) return tree;
    const p = all[e.pick % all.length] as Key[];
    const [parent, key] = parentOf(tree, p);
    if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (e.op === 'set') {
      parent[key] = e.value;
    } else if (Array.isArray(parent)) {
      parent.push(e.value);
    } else {
      parent[e.key] = e.value;
    }
  }
  return tree;
}

/** A textual edit of the file: the kind of damage a hand edit or a bad merge does. */
const textEdit = fc.oneof(
  fc.tuple(fc.constant('remove' as const), fc.nat(), fc.integer({ min: 1, max: 6 })),
  fc.tuple(
    fc.constant('insert' as const),
    fc.nat(),
    fc.oneof(
      fc.constantFrom(
        ':',
        ': ',
        '{',
        '}',
        '[',
        ']',
        '"',
        "'",
        '\t',
        '  ',
        '\n',
        '- ',
        '&a ',
        '*a',
        '!!str ',
        '#',
        '? ',
        '|',
        '>',
        '%YAML 1.2\n',
        '---\n',
        '\n...\n',
        '${',
        '}',
      ),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  ),
  fc.tuple(fc.constant('dup-line' as const), fc.nat(), fc.constant(0)),
);

type TextEdit = readonly [string, number, unknown];

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const [op, pos, arg] of edits) {
    const at = out.length === 0 ? 0 : pos % (out.length + 1);
    if (op === 'remove') out = out.slice(0, at) + out.slice(at + (arg as number));
    else if (op === 'insert') out = out.slice(0, at) + (arg as string) + out.slice(at);
    else {
      const lines = out.split('\n');
      const i = pos % lines.length;
      lines.splice(i, 0, lines[i] as string);
      out = lines.join('\n');
    }
  }
  return out;
}

describe('loadPipelineConfig (properties)', () => {
  it('the unedited file loads (the base of the properties below is valid)', () => {
    expect(tryLoad(VALID)).toBeUndefined();
    expect(tryLoad(stringify(applyEdits([])))).toBeUndefined();
  });

  it('structural edits (keys removed or added, wrong types, wrong enum values) give a located ConfigError without secrets, or load', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        checkOutcome(stringify(applyEdits(edits)));
      }),
      slowParams,
    );
  });

  it('textual damage (YAML syntax broken, lines duplicated, junk inserted) gives a located ConfigError without secrets, or loads', () => {
    fc.assert(
      fc.property(fc.array(textEdit, { minLength: 1, maxLength: 4 }), (edits) => {
        checkOutcome(applyTextEdits(VALID, edits));
      }),
      params,
    );
  });

  it('both kinds of damage together give a located ConfigError without secrets, or load', () => {
    fc.assert(
      fc.property(
        fc.array(edit, { maxLength: 3 }),
        fc.array(textEdit, { minLength: 1, maxLength: 3 }),
        (edits, text) => {
          // text damage may rename the `password:` key, after which its literal value is no secret
          checkOutcome(applyTextEdits(stringify(applyEdits(edits)), text), Object.values(ENV));
        },
      ),
      slowParams,
    );
  });
});

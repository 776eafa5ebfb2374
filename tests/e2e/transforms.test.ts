// Transforms end to end (pg -> transforms -> pg through the built CLI): one test per validate rule,
// each under on_data_error fail / skip / dlq, and one per map operation. The destination is
// compared with the expected rows (EXCEPT ALL both ways); dead letters are read back through
// `dlq list --json`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseScope,
  parseJson,
  pgEndpoint,
  runCli,
  testPg,
  writePipeline,
  type CliResult,
  type DeadLetterJson,
  type RunJson,
  type TestDatabase,
} from '../support/e2e.js';

const cluster = testPg();

const PEOPLE = `
  CREATE TABLE public.people (id int PRIMARY KEY, email text, status text, age int, amount text, ssn text);
  INSERT INTO public.people VALUES
    (1, 'a@x.io',    'active',  30, '12.50', '111-11-1111'),
    (2, 'b@x.io',    'active',  41, '7',     '222-22-2222'),
    (3, NULL,        'paused',  25, '3.25',  NULL),
    (4, 'bad-email', 'active',  33, '1',     '333-33-3333'),
    (5, 'e@x.io',    'active', 150, '2',     '555-55-5555'),
    (6, 'f@x.io',    'deleted', 20, '5',     '666-66-6666'),
    (7, 'a@x.io',    'active',  50, '9',     '777-77-7777'),
    (8, 'h@x.io',    'paused',  60, '10.1',  NULL);`;

/** Each validate rule and the one row of PEOPLE it rejects. */
const RULES: readonly { name: string; rule: Record<string, unknown>; bad: number; column: string }[] = [
  { name: 'not_null', rule: { column: 'email', not_null: true }, bad: 3, column: 'email' },
  { name: 'regex', rule: { column: 'email', regex: '^[^@\\s]+@[^@\\s]+$' }, bad: 4, column: 'email' },
  { name: 'range', rule: { column: 'age', range: { min: 0, max: 120 } }, bad: 5, column: 'age' },
  {
    name: 'allowed_values',
    rule: { column: 'status', allowed_values: ['active', 'paused'] },
    bad: 6,
    column: 'status',
  },
  { name: 'unique', rule: { column: 'email', unique: true }, bad: 7, column: 'email' },
];

function pipelineYaml(
  name: string,
  src: TestDatabase,
  dst: TestDatabase,
  transforms: readonly { use: string; config: unknown }[],
  onDataError = 'fail',
): string {
  return `version: "1.0"
pipeline: ${name}
source:
  use: source-postgres
  ${pgEndpoint(src.url)}
  streams:
    - { name: public.people, sync_mode: full_refresh }
transforms:
${transforms.map((t) => `  - { use: ${t.use}, config: ${JSON.stringify(t.config)} }`).join('\n')}
destination:
  use: dest-postgres
  ${pgEndpoint(dst.url)}
  write_mode: replace
  on_data_error: ${onDataError}
`;
}

describe('transforms (pg -> transform components -> pg)', () => {
  let src: TestDatabase;
  const databases = databaseScope(cluster);

  /** Runs the pipeline with `--json`; returns the summary and the pipeline file. */
  async function run(
    name: string,
    transforms: readonly { use: string; config: unknown }[],
    onDataError?: string,
  ): Promise<{ json: RunJson; result: CliResult; file: string; dst: TestDatabase }> {
    const dst = await databases.create(name);
    const file = writePipeline(pipelineYaml(name, src, dst, transforms, onDataError));
    const result = await runCli(['run', '--json', file]);
    return { json: parseJson(result), result, file, dst };
  }

  /** The destination's `public.people` equals the source query `expected` (EXCEPT ALL both ways). */
  async function expectDestination(dst: TestDatabase, expected: string, rows: number): Promise<void> {
    const table = `exp_${Math.random().toString(36).slice(2, 10)}`;
    await cluster.psql(src.name, `CREATE TABLE public.${table} AS ${expected};`);
    const diff = await cluster.compareTables(src.url, `public.${table}`, dst.url, 'public.people');
    expect(diff.onlyInSource).toEqual([]);
    expect(diff.onlyInDestination).toEqual([]);
    expect(diff.destinationRows).toBe(rows);
  }

  async function columns(dst: TestDatabase): Promise<{ name: string; type: string }[]> {
    const r = await cluster.query(
      dst.name,
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'public.people'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    return r.rows as { name: string; type: string }[];
  }

  async function deadLetters(file: string, runId: number): Promise<DeadLetterJson[]> {
    const listed = await runCli(['dlq', 'list', file, '--json', '--run', String(runId)]);
    expect(listed.code, listed.stderr).toBe(0);
    const text = await runCli(['dlq', 'list', file, '--run', String(runId)]);
    expect(text.code, text.stderr).toBe(0);
    return JSON.parse(listed.stdout) as DeadLetterJson[];
  }

  beforeAll(async () => {
    src = await databases.create('tf_src', PEOPLE);
  });

  afterAll(async () => {
    await databases.dropAll();
  });

  describe.each(RULES)('transform-validate $name', ({ name, rule, bad, column }) => {
    const transforms = [{ use: 'transform-validate', config: { rules: [rule] } }];

    it('fail: the run fails naming stream, column, reason and the row', async () => {
      const { json, result } = await run(`tf_${name}_fail`, transforms, 'fail');
      expect(result.code).not.toBe(0);
      const stream = json.streams[0];
      expect(stream?.status).toBe('failed');
      expect(stream?.error?.code).toBe('VALIDATION_FAILED');
      expect(stream?.error?.column).toBe(column);
      expect(stream?.error?.message).toContain(`stream public.people: column ${column} ${name}`);
      expect(stream?.error?.message).toContain(`"id":${bad}`);
    });

    it('skip: the bad row is dropped, the rest loaded', async () => {
      const { json, result, file, dst } = await run(`tf_${name}_skip`, transforms, 'skip');
      expect(result.code, result.stderr).toBe(0);
      expect(json.streams[0]).toMatchObject({
        status: 'succeeded',
        rowsRead: 8,
        rowsWritten: 7,
        rowsSkipped: 1,
        rowsDeadLettered: 0,
      });
      await expectDestination(dst, `SELECT * FROM public.people WHERE id <> ${bad}`, 7);
      expect(await deadLetters(file, json.runId)).toEqual([]);
    });

    it('dlq: the bad row is a dead letter (dlq list --json), the rest loaded', async () => {
      const { json, result, file, dst } = await run(`tf_${name}_dlq`, transforms, 'dlq');
      expect(result.code, result.stderr).toBe(0);
      expect(json.streams[0]).toMatchObject({ rowsRead: 8, rowsWritten: 7, rowsSkipped: 0, rowsDeadLettered: 1 });
      await expectDestination(dst, `SELECT * FROM public.people WHERE id <> ${bad}`, 7);
      const letters = await deadLetters(file, json.runId);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        runId: json.runId,
        stream: 'public.people',
        category: 'validation',
        record: { id: bad },
      });
      expect(letters[0]?.error).toContain(`column ${column} ${name}`);
    });
  });

  it('transform-map rename', async () => {
    const { result, dst } = await run('tf_map_rename', [
      { use: 'transform-map', config: { rename: { email: 'contact', ssn: 'tax_id' } } },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((await columns(dst)).map((c) => c.name)).toEqual(['id', 'contact', 'status', 'age', 'amount', 'tax_id']);
    await expectDestination(
      dst,
      'SELECT id, email AS contact, status, age, amount, ssn AS tax_id FROM public.people',
      8,
    );
  });

  it('transform-map drop', async () => {
    const { result, dst } = await run('tf_map_drop', [{ use: 'transform-map', config: { drop: ['ssn', 'amount'] } }]);
    expect(result.code, result.stderr).toBe(0);
    expect((await columns(dst)).map((c) => c.name)).toEqual(['id', 'email', 'status', 'age']);
    await expectDestination(dst, 'SELECT id, email, status, age FROM public.people', 8);
  });

  it('transform-map cast (text -> numeric(10,2), int -> bigint, int -> text)', async () => {
    const { result, dst } = await run('tf_map_cast', [
      { use: 'transform-map', config: { cast: { amount: 'decimal(10,2)', age: 'int64', id: 'utf8' } } },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await columns(dst)).toEqual([
      { name: 'id', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'age', type: 'bigint' },
      { name: 'amount', type: 'numeric(10,2)' },
      { name: 'ssn', type: 'text' },
    ]);
    await expectDestination(
      dst,
      'SELECT id::text AS id, email, status, age::bigint AS age, amount::numeric(10,2) AS amount, ssn FROM public.people',
      8,
    );
  });

  it('transform-map cast of a value that does not convert fails naming column, row and value', async () => {
    const { json, result } = await run('tf_map_cast_bad', [
      { use: 'transform-map', config: { cast: { email: 'int64' } } },
    ]);
    expect(result.code).not.toBe(0);
    expect(json.streams[0]?.error).toMatchObject({ code: 'CAST_FAILED', column: 'email' });
    expect(json.streams[0]?.error?.message).toMatch(/column "email" row \d+ value "a@x.io"/);
  });

  it('transform-map hash (sha256 with salt)', async () => {
    const { result, dst } = await run('tf_map_hash', [
      { use: 'transform-map', config: { hash: ['email', 'ssn'], salt: 'pepper:' } },
    ]);
    expect(result.code, result.stderr).toBe(0);
    await expectDestination(
      dst,
      `SELECT id, encode(sha256(convert_to('pepper:' || email, 'UTF8')), 'hex') AS email, status, age, amount,
              encode(sha256(convert_to('pepper:' || ssn, 'UTF8')), 'hex') AS ssn FROM public.people`,
      8,
    );
  });

  it('transform-map mask (fixed string and NULL), chained after validate', async () => {
    const { result, dst } = await run(
      'tf_map_mask',
      [
        { use: 'transform-validate', config: { rules: [{ column: 'age', range: { max: 120 } }] } },
        { use: 'transform-map', config: { mask: { ssn: '***', email: null } } },
      ],
      'skip',
    );
    expect(result.code, result.stderr).toBe(0);
    await expectDestination(
      dst,
      `SELECT id, NULL::text AS email, status, age, amount, CASE WHEN ssn IS NULL THEN NULL ELSE '***' END AS ssn FROM public.people WHERE id <> 5`,
      7,
    );
  });
});

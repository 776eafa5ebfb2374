// A password with URL-special characters (`p@ss:w/rd%`) works in a `password` field and, through
// ${VAR}, inside a URL's userinfo; a wrong one is an auth error that never prints either password.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testPg, type TestDatabase } from '../support/test-pg.js';
import { runCli, writePipeline, type CliResult } from '../support/run-cli.js';

const cluster = testPg();
const PASSWORD = 'p@ss:w/rd%';
const WRONG = 'Wr0ng@pw:/%x';

/** Every form a password could leak in: raw, percent-encoded (both ways), base64. */
function leakForms(password: string): string[] {
  return [password, encodeURIComponent(password), encodeURI(password), Buffer.from(password).toString('base64')];
}

function expectNoPassword(text: string, what: string): void {
  for (const pw of [PASSWORD, WRONG]) {
    for (const form of leakForms(pw)) expect(text.includes(form), `${what} contains ${form}`).toBe(false);
  }
}

/** Every file of the pipeline's state dir (`.rapidbyte/`, the SQLite DB and its -wal/-shm) must be free of passwords. */
function expectStateHasNoPassword(pipelineFile: string): void {
  const stateDir = join(dirname(pipelineFile), '.rapidbyte');
  const files = readdirSync(stateDir);
  expect(files).toContain('state.db');
  for (const file of files) {
    const bytes = readFileSync(join(stateDir, file));
    for (const pw of [PASSWORD, WRONG]) {
      for (const form of leakForms(pw)) {
        expect(bytes.includes(Buffer.from(form)), `${file} contains ${form}`).toBe(false);
        expect(bytes.includes(Buffer.from(form, 'utf16le')), `${file} contains ${form} (UTF-16)`).toBe(false);
      }
    }
  }
}

describe('passwords with @ : / % over password authentication', () => {
  let user: string;
  let src: TestDatabase;
  let dst: TestDatabase;

  /** A source/destination config block for `db` as the password-authenticated role. */
  function endpoint(db: TestDatabase, form: 'field' | 'url'): string {
    const config =
      form === 'field'
        ? `{ host: 127.0.0.1, port: ${cluster.port}, user: ${user}, password: "\${RB_PW}", database: ${db.name} }`
        : `{ url: "postgres://\${RB_USER}:\${RB_PW}@127.0.0.1:${cluster.port}/${db.name}" }`;
    return `config: ${config}\n  permissions: { network: { allowed_hosts: [127.0.0.1] } }`;
  }

  function pipeline(form: 'field' | 'url', destination = dst): string {
    return writePipeline(`version: "1.0"
pipeline: passwords_${form}
source:
  use: source-postgres
  ${endpoint(src, form)}
  streams:
    - { name: public.accounts, sync_mode: full_refresh }
destination:
  use: dest-postgres
  ${endpoint(destination, form)}
  write_mode: replace
`);
  }

  async function destinationFor(prefix: string): Promise<TestDatabase> {
    const db = await cluster.createDatabase(prefix);
    await cluster.query(db.name, `ALTER DATABASE "${db.name}" OWNER TO "${user}"`);
    await cluster.query(db.name, `GRANT ALL ON SCHEMA public TO "${user}"`);
    return db;
  }

  function expectRan(result: CliResult): void {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/public\.accounts\s+succeeded\s+500\s+500/);
  }

  beforeAll(async () => {
    user = (await cluster.createLoginRole(PASSWORD, { prefix: 'rb_pw' })).user;
    src = await cluster.createDatabase('pw_src');
    await cluster.psql(
      src.name,
      `CREATE TABLE accounts (id int PRIMARY KEY, email text, balance numeric(12,2));
      INSERT INTO accounts SELECT g, 'user' || g || '@example.com', g * 3.5 FROM generate_series(1, 500) g;
      ALTER TABLE accounts OWNER TO "${user}";
      GRANT CONNECT ON DATABASE "${src.name}" TO "${user}";`,
    );
    dst = await destinationFor('pw_dst');
  });

  it('the role really needs its password (the cluster enforces scram over TCP)', async () => {
    const result = await runCli(['check', pipeline('field')], { env: { RB_PW: 'not-it' } });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^FAILED\s+source source-postgres/m);
  });

  it('password field from ${RB_PW}: runs and copies every row', async () => {
    const file = pipeline('field');
    const result = await runCli(['run', file], { env: { RB_PW: PASSWORD } });
    expectRan(result);
    expectNoPassword(result.stdout + result.stderr, 'output');
    const diff = await cluster.compareTables(src.url, 'public.accounts', dst.url, 'public.accounts');
    expect(diff).toMatchObject({ equal: true, sourceRows: 500, destinationRows: 500 });
    expectStateHasNoPassword(file);
  });

  it('raw password in a URL through ${VAR}: the loader percent-encodes it in the userinfo', async () => {
    const urlDst = await destinationFor('pw_url_dst');
    const file = pipeline('url', urlDst);
    const result = await runCli(['run', file], { env: { RB_USER: user, RB_PW: PASSWORD } });
    expectRan(result);
    expectNoPassword(result.stdout + result.stderr, 'output');
    const diff = await cluster.compareTables(src.url, 'public.accounts', urlDst.url, 'public.accounts');
    expect(diff).toMatchObject({ equal: true, sourceRows: 500, destinationRows: 500 });
    expectStateHasNoPassword(file);

    const check = await runCli(['check', file], { env: { RB_USER: user, RB_PW: PASSWORD } });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^OK\s+source source-postgres/m);
    expect(check.stdout).toMatch(/^OK\s+destination dest-postgres/m);
    expectNoPassword(check.stdout + check.stderr, 'check output');
  });

  it.each(['field', 'url'] as const)(
    'wrong password (%s): exit 3, "authentication failed", no password anywhere',
    async (form) => {
      const wrongDst = await destinationFor(`pw_wrong_${form}`);
      const file = pipeline(form, wrongDst);
      const result = await runCli(['run', file], { env: { RB_USER: user, RB_PW: WRONG } });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(3);
      expect(result.stdout + result.stderr).toMatch(/authentication failed/i);
      expect(result.stdout).toContain('AUTH_FAILED');
      expectNoPassword(result.stdout + result.stderr, 'output');
      expectStateHasNoPassword(file);
      expect((await cluster.query(wrongDst.name, `SELECT to_regclass('public.accounts') AS t`)).rows[0].t).toBeNull();

      const check = await runCli(['check', file], { env: { RB_USER: user, RB_PW: WRONG } });
      expect(check.code).toBe(3);
      expect(check.stdout).toMatch(
        /^FAILED\s+source source-postgres: connect — AUTH_FAILED: .*authentication failed/im,
      );
      expectNoPassword(check.stdout + check.stderr, 'check output');
    },
  );
});

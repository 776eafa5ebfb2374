// Test-side client of the shared e2e cluster started by global-setup.ts.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryResult } from 'pg';
import { inject } from 'vitest';
import { runCommand } from './run-command.mjs';
import { pgUrl, quoteIdent, quoteLiteral } from './pg-url.mjs';
import { PASSWORD_AUTH_GROUP } from './pg-cluster.mjs';
import { compareTables, tableDigest, withClient, type TableDiff } from './table-compare.mjs';
import type { TableRef } from './pg-url.mjs';
import type { ProvidedPg } from './global-setup.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A database created for one test. */
export interface TestDatabase {
  readonly name: string;
  /** Superuser URL of this database. */
  readonly url: string;
}

/** What a test needs from the shared PostgreSQL. */
export interface TestPg {
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  /** A login role that must authenticate with its password (`p@ss:w/rd%`). */
  readonly passwordUser: { readonly user: string; readonly password: string };
  /** URL with user and password percent-encoded; defaults to the superuser. */
  url(db: string, user?: string, password?: string): string;
  /** Creates a database with a unique name starting with `prefix`. */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  dropDatabase(name: string): Promise<void>;
  /** Creates a LOGIN role (unique name from `prefix`) that must use `password` over TCP. */
  createLoginRole(
    password: string,
    options?: { prefix?: string; superuser?: boolean; replication?: boolean },
  ): Promise<{ user: string; password: string }>;
  /** One query as the superuser in database `db`. */
  query(db: string, sql: string, params?: unknown[]): Promise<QueryResult>;
  /** Runs a script with psql (ON_ERROR_STOP) as the superuser; returns stdout. */
  psql(db: string, sql: string): Promise<string>;
  /** Runs `tests/fixtures/<file>` with psql in database `db`. */
  loadFixture(db: string, file: string): Promise<void>;
  /** Rows only in source / only in destination, values compared as text. */
  compareTables(
    srcUrl: string,
    srcTable: TableRef,
    dstUrl: string,
    dstTable: TableRef,
    options?: { columns?: string[]; castJsonToText?: boolean },
  ): Promise<TableDiff>;
  /** Count and ordered md5 of a table, computed in SQL. */
  tableDigest(
    url: string,
    table: TableRef,
    orderBy: string | string[],
    options?: { columns?: string[] },
  ): Promise<{ rows: number; md5: string }>;
}

/** @param prefix becomes `[a-z0-9_]`, then a random suffix is added */
function uniqueName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 40) || 't';
  return `${clean}_${randomBytes(5).toString('hex')}`;
}

/** The shared cluster of the e2e project (needs tests/support/global-setup.ts as globalSetup). */
export function testPg(): TestPg {
  const info: ProvidedPg = inject('pg');
  const url = (db: string, user = info.superuser, password?: string): string =>
    pgUrl({ host: info.host, port: info.port, database: db, user, password });
  const query = (db: string, sql: string, params?: unknown[]): Promise<QueryResult> =>
    withClient(url(db), (client) => client.query(sql, params));
  const psql = async (db: string, sql: string): Promise<string> => {
    const args = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url(db), '-f', '-'];
    const { stdout } = await runCommand(join(info.bindir, 'psql'), args, {
      input: sql,
      env: { ...process.env, PGTZ: 'UTC' },
    });
    return stdout;
  };
  return {
    host: info.host,
    port: info.port,
    superuser: info.superuser,
    passwordUser: { user: info.passwordUser, password: info.password },
    url,
    query,
    psql,
    async createDatabase(prefix = 'test') {
      const name = uniqueName(prefix);
      await query('postgres', `CREATE DATABASE ${quoteIdent(name)}`);
      return { name, url: url(name) };
    },
    async dropDatabase(name) {
      await query('postgres', `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
    async createLoginRole(password, options = {}) {
      const user = uniqueName(options.prefix ?? 'role');
      const attrs = `${options.superuser ? ' SUPERUSER' : ''}${options.replication ? ' REPLICATION' : ''}`;
      await query(
        'postgres',
        `CREATE ROLE ${quoteIdent(user)} LOGIN${attrs} PASSWORD ${quoteLiteral(password)} IN ROLE ${quoteIdent(PASSWORD_AUTH_GROUP)}`,
      );
      return { user, password };
    },
    async loadFixture(db, file) {
      await psql(db, await readFile(join(FIXTURES, file), 'utf8'));
    },
    compareTables,
    tableDigest,
  };
}

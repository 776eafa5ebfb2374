// A throwaway PostgreSQL cluster for tests, the quickstart and benchmarks.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { findPgBindir } from './pg-binaries.mjs';
import { runCommand } from './run-command.mjs';
import { serverUser } from './unprivileged-user.mjs';
import { pgUrl, quoteIdent, quoteLiteral } from './pg-url.mjs';

/** Roles that are members of this group must log in over TCP with their (scram-sha-256) password. */
export const PASSWORD_AUTH_GROUP = 'rb_password_auth';
/** A ready-made role that authenticates with a password; its password needs URL encoding. */
export const PASSWORD_USER = Object.freeze({ user: 'rb_password_user', password: 'p@ss:w/rd%' });

const SUPERUSER = 'postgres';
const HOST = '127.0.0.1';
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * @typedef {object} PgCluster
 * @property {string} host always 127.0.0.1
 * @property {number} port
 * @property {string} superuser trust-authenticated superuser name
 * @property {string} dataDir
 * @property {string} socketDir unix socket directory
 * @property {string} bindir directory of initdb/pg_ctl/psql
 * @property {{ user: string, password: string }} passwordUser a superuser-less login role that must use its password
 * @property {(db?: string, user?: string, password?: string) => string} url connection URL; user and password percent-encoded
 * @property {(name: string, owner?: string) => Promise<void>} createDatabase
 * @property {(name: string, password: string, options?: { superuser?: boolean, replication?: boolean }) => Promise<void>} createLoginRole
 *   creates a LOGIN role that must authenticate with `password` over TCP
 * @property {(db: string, sql: string, params?: unknown[]) => Promise<import('pg').QueryResult>} query as the superuser
 * @property {(db: string, sql: string) => Promise<string>} psql runs a script with psql (ON_ERROR_STOP), returns stdout
 * @property {() => Promise<void>} stop `pg_ctl stop -m fast`, then removes the temp dir; idempotent
 */

/** @returns {Promise<number>} a port the OS just handed out on 127.0.0.1 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A base directory every user can traverse (root's TMPDIR may not be). @param {boolean} asOtherUser */
function tempBase(asOtherUser) {
  const base = tmpdir();
  if (!asOtherUser) return base;
  for (let dir = base; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return '/tmp';
    if (dir === dirname(dir)) return base;
  }
}

/**
 * @param {number} port
 * @param {string} socketDir
 */
function serverSettings(port, socketDir) {
  return [
    `listen_addresses = '${HOST}'`,
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    'wal_level = logical',
    'max_replication_slots = 20',
    'max_wal_senders = 20',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    "password_encryption = 'scram-sha-256'",
    'max_connections = 200',
    "timezone = 'UTC'",
    // tests assert which statements a connector sent (e.g. projection pushdown) from pg_stat_statements
    "shared_preload_libraries = 'pg_stat_statements'",
    'pg_stat_statements.track_utility = on',
    // the whole suite runs far more than the default 5,000 distinct statements (every test's own
    // tables, the cluster's workflow engine): past the limit the least-run entries are evicted, and a
    // statement run once (a projected COPY) was gone before its test looked for it
    'pg_stat_statements.max = 100000',
    '',
  ].join('\n');
}

const HBA = [
  'local all all trust',
  'local replication all trust',
  `host all +${PASSWORD_AUTH_GROUP} ${HOST}/32 scram-sha-256`,
  `host replication +${PASSWORD_AUTH_GROUP} ${HOST}/32 scram-sha-256`,
  `host all all ${HOST}/32 trust`,
  `host replication all ${HOST}/32 trust`,
  '',
].join('\n');

/**
 * Starts a throwaway PostgreSQL: initdb in a fresh temp dir, wal_level=logical, durability off,
 * listening on 127.0.0.1 at a free port. Trust auth, except members of PASSWORD_AUTH_GROUP, who
 * must use scram-sha-256 passwords. As root, server processes run as the `rapidbyte` system user.
 * @param {{ log?: boolean }} [options] log: echo initdb/server logs to stderr on failure and stop
 * @returns {Promise<PgCluster>}
 */
export async function startPgCluster(options = {}) {
  const bindir = findPgBindir();
  const user = serverUser();
  const root = mkdtempSync(join(tempBase(user.prefix.length > 0), 'rb-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  if (user.prefix.length > 0) chownSync(root, user.uid, user.gid);
  /** @param {string} bin @param {string[]} args */
  const asServer = (bin, args) => {
    const argv = [...user.prefix, join(bindir, bin), ...args];
    return runCommand(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  };
  const removeRoot = () => rmSync(root, { recursive: true, force: true });

  let port = 0;
  try {
    await asServer('initdb', [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    writeFileSync(join(dataDir, 'pg_hba.conf'), HBA);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const conf = readFileSync(join(dataDir, 'postgresql.conf'), 'utf8').replace(
        /\n# rapidbyte test harness[\s\S]*$/,
        '',
      );
      writeFileSync(
        join(dataDir, 'postgresql.conf'),
        `${conf}\n# rapidbyte test harness\n${serverSettings(port, root)}`,
      );
      try {
        await asServer('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
        break;
      } catch (error) {
        if (attempt >= 3) throw error; // most likely someone grabbed the port in between
      }
    }
  } catch (error) {
    const log = readLog(logFile);
    if (options.log && log) process.stderr.write(log);
    const argv = [...user.prefix, join(bindir, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'];
    spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', cwd: root });
    removeRoot();
    throw new Error(`could not start PostgreSQL from ${bindir}${log ? `; server log:\n${log.slice(-4000)}` : ''}`, {
      cause: error,
    });
  }

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    const argv = [...user.prefix, join(bindir, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'];
    spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', cwd: root });
    removeRoot();
  };
  /** @param {NodeJS.Signals} signal */
  const onSignal = (signal) => {
    stopNow();
    detach();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const detach = () => {
    process.off('exit', stopNow);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  process.once('exit', stopNow);
  for (const s of SIGNALS) process.once(s, onSignal);

  /** @type {(db?: string, user?: string, password?: string) => string} */
  const url = (db = 'postgres', u = SUPERUSER, password) =>
    pgUrl({ host: HOST, port, database: db, user: u, password });

  /** @type {PgCluster['query']} */
  const query = async (db, sql, params) => {
    const client = new pg.Client({ host: HOST, port, user: SUPERUSER, database: db });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };

  try {
    await query('postgres', `CREATE ROLE ${quoteIdent(PASSWORD_AUTH_GROUP)} NOLOGIN`);
    await query(
      'postgres',
      `CREATE ROLE ${quoteIdent(PASSWORD_USER.user)} LOGIN PASSWORD ${quoteLiteral(PASSWORD_USER.password)} IN ROLE ${quoteIdent(PASSWORD_AUTH_GROUP)}`,
    );
  } catch (error) {
    stopNow();
    detach();
    throw error;
  }

  return {
    host: HOST,
    port,
    superuser: SUPERUSER,
    dataDir,
    socketDir: root,
    bindir,
    passwordUser: { ...PASSWORD_USER },
    url,
    query,
    async createDatabase(name, owner) {
      await query('postgres', `CREATE DATABASE ${quoteIdent(name)}${owner ? ` OWNER ${quoteIdent(owner)}` : ''}`);
    },
    async createLoginRole(name, password, roleOptions = {}) {
      const attrs = [roleOptions.superuser ? 'SUPERUSER' : '', roleOptions.replication ? 'REPLICATION' : ''].join(' ');
      await query(
        'postgres',
        `CREATE ROLE ${quoteIdent(name)} LOGIN ${attrs} PASSWORD ${quoteLiteral(password)} IN ROLE ${quoteIdent(PASSWORD_AUTH_GROUP)}`,
      );
    },
    async psql(db, sql) {
      const args = [
        '-X',
        '-q',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        HOST,
        '-p',
        String(port),
        '-U',
        SUPERUSER,
        '-d',
        db,
        '-f',
        '-',
      ];
      const { stdout } = await runCommand(join(bindir, 'psql'), args, {
        input: sql,
        env: { ...process.env, PGTZ: 'UTC' },
      });
      return stdout;
    },
    async stop() {
      if (stopped) return;
      detach();
      try {
        await asServer('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } catch {
        if (options.log) process.stderr.write(readLog(logFile));
      } finally {
        stopped = true;
        removeRoot();
      }
    },
  };
}

/** @param {string} logFile */
function readLog(logFile) {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
}

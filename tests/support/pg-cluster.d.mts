import type { QueryResult } from 'pg';

/** Members of this group must authenticate over TCP with their scram-sha-256 password. */
export const PASSWORD_AUTH_GROUP: string;
/** A ready-made login role that must use its password (`p@ss:w/rd%`, needs URL encoding). */
export const PASSWORD_USER: Readonly<{ user: string; password: string }>;

/** A throwaway PostgreSQL started by startPgCluster. */
export interface PgCluster {
  /** Always 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** Trust-authenticated superuser. */
  readonly superuser: string;
  readonly dataDir: string;
  /** Unix socket directory. */
  readonly socketDir: string;
  /** Directory of initdb, pg_ctl, psql. */
  readonly bindir: string;
  /** A login role that must authenticate with its password. */
  readonly passwordUser: { user: string; password: string };
  /** Connection URL (defaults: database postgres, the superuser); user and password percent-encoded. */
  url(db?: string, user?: string, password?: string): string;
  createDatabase(name: string, owner?: string): Promise<void>;
  /** Creates a LOGIN role that must authenticate with `password` over TCP. */
  createLoginRole(
    name: string,
    password: string,
    options?: { superuser?: boolean; replication?: boolean },
  ): Promise<void>;
  /** Runs one query as the superuser in database `db`. */
  query(db: string, sql: string, params?: unknown[]): Promise<QueryResult>;
  /** Runs a script with psql (ON_ERROR_STOP, unaligned tuples-only output) and returns stdout. */
  psql(db: string, sql: string): Promise<string>;
  /** `pg_ctl stop -m fast`, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL (initdb in a temp dir, wal_level=logical, durability off, a free
 * port on 127.0.0.1). As root, server processes run as the `rapidbyte` system user.
 * Throws PgBinariesNotFoundError when no server binaries are installed.
 */
export function startPgCluster(options?: { log?: boolean }): Promise<PgCluster>;
/** A port the OS just handed out on 127.0.0.1. */
export function freePort(): Promise<number>;

// Locates the PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) on this machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when no PostgreSQL server binaries can be found; tests fail on it, they never skip. */
export class PgBinariesNotFoundError extends Error {
  /** @param {string[]} searched directories that were looked at */
  constructor(searched) {
    super(
      `PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; looked in: ${searched.join(', ') || '(nothing)'}. ` +
        'Install them (Debian: apt-get install -y --no-install-recommends postgresql, or run .ci/run) ' +
        'or set RB_PG_BINDIR to the directory holding initdb.',
    );
    this.name = 'PgBinariesNotFoundError';
    this.searched = searched;
  }
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres', 'psql'];

/** @param {string} dir */
function hasServerBinaries(dir) {
  return REQUIRED.every((bin) => existsSync(join(dir, bin)));
}

/** @returns {string | undefined} */
function pgConfigBindir() {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Debian layout: /usr/lib/postgresql/<major>/bin, highest major first. */
function debianBindirs() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, 'bin'));
}

/**
 * Directory holding initdb/pg_ctl/postgres/psql: `$RB_PG_BINDIR`, else `pg_config --bindir`,
 * else the highest `/usr/lib/postgresql/<major>/bin`.
 * @returns {string}
 * @throws {PgBinariesNotFoundError}
 */
export function findPgBindir() {
  /** @type {string[]} */
  const candidates = [];
  if (process.env.RB_PG_BINDIR) candidates.push(process.env.RB_PG_BINDIR);
  const fromPgConfig = pgConfigBindir();
  if (fromPgConfig) candidates.push(fromPgConfig);
  candidates.push(...debianBindirs());
  const found = candidates.find(hasServerBinaries);
  if (!found) throw new PgBinariesNotFoundError(candidates);
  return found;
}

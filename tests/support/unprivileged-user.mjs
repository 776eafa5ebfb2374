// PostgreSQL refuses to run as root. When we are root, server commands run as a system user.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** System user that owns throwaway clusters when the harness runs as root. */
export const SERVER_OS_USER = 'rapidbyte';

/**
 * @typedef {object} ServerUser
 * @property {number} uid
 * @property {number} gid
 * @property {string[]} prefix argv prefix that runs a command as this user (empty when not root)
 */

/** @param {string} user @returns {{ uid: number, gid: number } | undefined} */
function lookup(user) {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Who runs initdb/pg_ctl: the current user, or (as root) the `rapidbyte` system user, created with
 * `useradd --system` on first use, entered with `setpriv` (or `runuser` when setpriv is missing).
 * @returns {ServerUser}
 */
export function serverUser() {
  const getuid = process.getuid;
  if (!getuid || getuid() !== 0) {
    return { uid: getuid ? getuid() : -1, gid: process.getgid ? process.getgid() : -1, prefix: [] };
  }
  let ids = lookup(SERVER_OS_USER);
  if (!ids) {
    try {
      execFileSync(
        'useradd',
        [
          '--system',
          '--user-group',
          '--no-create-home',
          '--home-dir',
          '/nonexistent',
          '--shell',
          '/usr/sbin/nologin',
          SERVER_OS_USER,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (cause) {
      // Another process may have created it concurrently; only fail if it still does not exist.
      if (!lookup(SERVER_OS_USER)) {
        throw new Error(`running as root and could not create system user ${SERVER_OS_USER} with useradd`, { cause });
      }
    }
    ids = lookup(SERVER_OS_USER);
    if (!ids) throw new Error(`system user ${SERVER_OS_USER} missing after useradd`);
  }
  const prefix =
    existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv')
      ? ['setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--init-groups']
      : ['runuser', '-u', SERVER_OS_USER, '--'];
  return { ...ids, prefix };
}

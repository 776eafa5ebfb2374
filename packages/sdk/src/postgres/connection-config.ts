import type { PgConnectOptions, SslMode } from '../guest/wit-types.js';
import { SSL_MODES } from '../guest/wit-types.js';
import { DEFAULT_PORT, DEFAULT_SSL_MODE, type ConnectionConfig } from './connection-options.js';

/** A parsed `postgres://` URL. Absent parts stay undefined. */
export interface PostgresUrl {
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly sslmode?: SslMode;
  /** Query parameters this connector does not use (reported, not fatal). */
  readonly ignoredParams: readonly string[];
}

/** A config problem: the key it concerns and what is wrong (never contains the password). */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & ConfigProblem);

const SCHEMES = ['postgres://', 'postgresql://'] as const;

/**
 * Parses `postgres://user:pass@host:port/db?sslmode=require` without the WHATWG URL class (the
 * guest has none). User, password and database are percent-decoded, so `@`, `:`, `/` and `%` in
 * a password are written `%40`, `%3A`, `%2F`, `%25` (an unencoded `@` or `:` in the password still
 * works: the host starts after the last `@`, the password after the first `:`). IPv6 hosts are
 * written in brackets.
 */
export function parsePostgresUrl(url: string): Parsed<PostgresUrl> {
  const scheme = SCHEMES.find((s) => url.toLowerCase().startsWith(s));
  if (!scheme) return problem('url', `must start with ${SCHEMES.join(' or ')}`);
  const rest = url.slice(scheme.length);
  const authorityEnd = firstIndexOf(rest, ['/', '?', '#'], 0);
  const authority = rest.slice(0, authorityEnd);
  const tail = rest.slice(authorityEnd);

  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = authority.slice(at + 1);
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const rawUser = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    const rawPassword = colon >= 0 ? userinfo.slice(colon + 1) : undefined;
    const u = decode(rawUser, 'url (user)');
    if (!u.ok) return u;
    user = u.value === '' ? undefined : u.value;
    if (rawPassword !== undefined) {
      const p = decode(rawPassword, 'url (password)');
      if (!p.ok) return p;
      password = p.value;
    }
  }

  const hp = parseHostPort(hostPort);
  if (!hp.ok) return hp;

  const hashAt = tail.indexOf('#');
  const beforeHash = hashAt >= 0 ? tail.slice(0, hashAt) : tail;
  const q = beforeHash.indexOf('?');
  const path = q >= 0 ? beforeHash.slice(0, q) : beforeHash;
  const query = q >= 0 ? beforeHash.slice(q + 1) : '';
  let database: string | undefined;
  if (path.length > 1) {
    const d = decode(path.slice(1), 'url (database)');
    if (!d.ok) return d;
    database = d.value;
  }

  let sslmode: SslMode | undefined;
  const ignoredParams: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = decode(eq >= 0 ? pair.slice(eq + 1) : '', `url (${key})`);
    if (!value.ok) return value;
    if (key === 'sslmode') {
      const mode = asSslMode(value.value);
      if (!mode) return problem('url', `sslmode=${value.value} is not one of ${SSL_MODES.join(', ')}`);
      sslmode = mode;
    } else {
      ignoredParams.push(key);
    }
  }
  return {
    ok: true,
    value: { host: hp.value.host, port: hp.value.port, user, password, database, sslmode, ignoredParams },
  };
}

/**
 * Turns the connector config into the host's connect options. `url` and the discrete keys are
 * alternatives; an explicit `password` or `sslmode` key wins over the URL's.
 */
export function parseConnectionConfig(
  config: ConnectionConfig,
  applicationName: string,
): Parsed<PgConnectOptions & { readonly ignoredParams: readonly string[] }> {
  if (config === null || typeof config !== 'object') return problem('config', 'must be an object');
  let host = config.host;
  let port = config.port;
  let user = config.user;
  let password = config.password;
  let database = config.database;
  let sslMode = config.sslmode;
  let ignoredParams: readonly string[] = [];
  if (config.url !== undefined) {
    const parsed = parsePostgresUrl(config.url);
    if (!parsed.ok) return parsed;
    const u = parsed.value;
    host = u.host;
    port = u.port;
    user = u.user;
    password = config.password ?? u.password;
    database = u.database ?? u.user;
    sslMode = config.sslmode ?? u.sslmode;
    ignoredParams = u.ignoredParams;
  }
  if (!host) return problem(config.url !== undefined ? 'url' : 'host', 'no host given');
  if (!user) return problem(config.url !== undefined ? 'url' : 'user', 'no user given');
  if (!database) return problem(config.url !== undefined ? 'url' : 'database', 'no database given');
  const finalPort = port ?? DEFAULT_PORT;
  if (!Number.isInteger(finalPort) || finalPort < 1 || finalPort > 65535) {
    return problem('port', `must be an integer 1-65535, got ${String(finalPort)}`);
  }
  const mode = sslMode === undefined ? DEFAULT_SSL_MODE : asSslMode(sslMode);
  if (!mode) return problem('sslmode', `${String(sslMode)} is not one of ${SSL_MODES.join(', ')}`);
  return {
    ok: true,
    value: {
      host,
      port: finalPort,
      user,
      password: password ?? '',
      database,
      sslMode: mode,
      applicationName: truncateUtf8(applicationName, 63),
      ignoredParams,
    },
  };
}

function parseHostPort(hostPort: string): Parsed<{ host: string; port?: number }> {
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return problem('url', 'unterminated [ in the IPv6 host');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return problem('url', 'unexpected text after the IPv6 host');
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
  }
  const h = decode(host, 'url (host)');
  if (!h.ok) return h;
  if (portText === undefined || portText === '') return { ok: true, value: { host: h.value } };
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return problem('url', `port must be an integer 1-65535, got ${JSON.stringify(portText)}`);
  }
  return { ok: true, value: { host: h.value, port: Number(portText) } };
}

function decode(text: string, key: string): Parsed<string> {
  try {
    return { ok: true, value: decodeURIComponent(text) };
  } catch {
    // The text may be a password: name the key, never the value.
    return problem(key.startsWith('url') ? 'url' : key, `${key} has an invalid percent-encoding`);
  }
}

function asSslMode(value: string): SslMode | undefined {
  return (SSL_MODES as readonly string[]).includes(value) ? (value as SslMode) : undefined;
}

function firstIndexOf(text: string, chars: readonly string[], from: number): number {
  let best = text.length;
  for (const ch of chars) {
    const i = text.indexOf(ch, from);
    if (i >= 0 && i < best) best = i;
  }
  return best;
}

function problem(key: string, message: string): { ok: false; key: string; message: string } {
  return { ok: false, key, message };
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

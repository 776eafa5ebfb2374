/** A host that a connector's config names in one of its endpoint fields. */
export interface EndpointHost {
  readonly host: string;
  /** The config field it comes from, as the manifest declares it (`url`, `replica.host`). */
  readonly field: string;
}

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const CONNINFO = /^\s*[A-Za-z_]+\s*=/;
/** libpq keywords (and URL query parameters) that name hosts: comma-separated lists. */
const HOST_KEYS = new Set(['host', 'hostaddr']);
const HOST_NAME = /^[A-Za-z0-9_.-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$/;
/** A unix-socket directory (`host=/var/run/postgresql`): granted as written, it is what the connector passes as its host. */
const SOCKET_DIR = /^\/[A-Za-z0-9_./@+-]*$/;

/**
 * The hosts named by a connector config's endpoint fields (the manifest's `endpointFields`, dotted
 * paths into the config). A field may hold a string or a list of strings; a field that is absent
 * or of another type names no host. Each host is listed once, with the first field naming it.
 */
export function endpointHosts(config: Readonly<Record<string, unknown>>, fields: readonly string[]): EndpointHost[] {
  const found = new Map<string, EndpointHost>();
  for (const field of fields) {
    const value = field.split('.').reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), config);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      for (const host of hostsOfEndpoint(v)) {
        const key = host.toLowerCase();
        if (!found.has(key)) found.set(key, { host, field });
      }
    }
  }
  return [...found.values()];
}

/**
 * The hosts of one endpoint value: a URL (`postgresql://user:pw@host:port/db`, multi-host
 * `postgres://h1:5432,h2:5433/db`, IPv6 `[::1]`, `?host=/var/run/postgresql` and `hostaddr=`
 * parameters, `https://api.example.com/v1`), a libpq keyword string (`host=a,b port=5432`), or a
 * bare host (`db.example.com`, `db:5432`, `a,b`, `[::1]`). Never the userinfo: a candidate that
 * does not look like a host name, an IP address or a socket directory is dropped, and so is one
 * taken from where the value's password may be (a password with an unencoded `/`, `?` or `#`
 * ends the authority early: everything up to the last `@` counts as password then).
 */
export function hostsOfEndpoint(value: string): string[] {
  const text = value.trim();
  const candidates = URL_SCHEME.test(text)
    ? urlHosts(text)
    : CONNINFO.test(text)
      ? conninfoHosts(text)
      : text.split(',').map(withoutPort);
  const hosts: string[] = [];
  for (const candidate of candidates) {
    const host = candidate?.trim();
    if (!host || !isHostLike(host)) continue;
    if (!hosts.some((h) => h.toLowerCase() === host.toLowerCase())) hosts.push(host);
  }
  return hosts;
}

function urlHosts(url: string): (string | undefined)[] {
  const rest = url.slice(url.indexOf('://') + 3);
  const end = firstIndexOf(rest, ['/', '?', '#']);
  const authority = rest.slice(0, end);
  // `user:password@`, the password running to the last `@` of the URL (as the secret redaction reads it)
  const userinfo = /^[^/?#@:]*:/.exec(rest);
  const lastAt = rest.lastIndexOf('@');
  const passwordSpan = userinfo !== null && lastAt >= 0 ? { from: userinfo[0].length, to: lastAt } : undefined;
  const inPassword = (at: number): boolean =>
    passwordSpan !== undefined && at >= passwordSpan.from && at < passwordSpan.to;

  const hosts: (string | undefined)[] = [];
  // the host list starts after the last `@` of the authority (a password may hold an unencoded one)
  let at = authority.lastIndexOf('@') + 1;
  if (at < authority.length) {
    for (const hostPort of authority.slice(at).split(',')) {
      if (!inPassword(at)) hosts.push(decoded(withoutPort(hostPort) ?? ''));
      at += hostPort.length + 1;
    }
  }
  const hash = rest.indexOf('#', end);
  const q = rest.indexOf('?', end);
  if (q < 0 || (hash >= 0 && hash < q)) return hosts;
  let offset = q + 1;
  for (const pair of rest.slice(q + 1, hash >= 0 ? hash : undefined).split('&')) {
    const eq = pair.indexOf('=');
    const list =
      eq >= 0 && HOST_KEYS.has(pair.slice(0, eq).toLowerCase()) && !inPassword(offset)
        ? decoded(pair.slice(eq + 1).replace(/\+/g, ' '))
        : undefined;
    if (list !== undefined) hosts.push(...list.split(',').map(unbracketed));
    offset += pair.length + 1;
  }
  return hosts;
}

/** `host=a,b hostaddr=10.0.0.1 port=5432 password='x y'`: the values of host and hostaddr. */
function conninfoHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const m of text.matchAll(/([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/g)) {
    if (!HOST_KEYS.has((m[1] ?? '').toLowerCase())) continue;
    const raw = m[2] ?? '';
    const v = raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    hosts.push(...v.split(',').map(unbracketed));
  }
  return hosts;
}

/** `host:5432` → `host`, `[::1]:5432` → `::1`; an unbracketed IPv6 address stays whole. Undefined when a port is not a number. */
function withoutPort(hostPort: string): string | undefined {
  const hp = hostPort.trim();
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    if (close < 0) return undefined;
    const after = hp.slice(close + 1);
    return after === '' || /^:\d*$/.test(after) ? hp.slice(1, close) : undefined;
  }
  const colon = hp.indexOf(':');
  if (colon < 0 || hp.indexOf(':', colon + 1) >= 0) return hp;
  return /^\d*$/.test(hp.slice(colon + 1)) ? hp.slice(0, colon) : undefined;
}

function unbracketed(host: string): string {
  const h = host.trim();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function isHostLike(host: string): boolean {
  return HOST_NAME.test(host) || IPV6.test(host) || SOCKET_DIR.test(host);
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function firstIndexOf(text: string, chars: readonly string[]): number {
  let best = text.length;
  for (const ch of chars) {
    const i = text.indexOf(ch);
    if (i >= 0 && i < best) best = i;
  }
  return best;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

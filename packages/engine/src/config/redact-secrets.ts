import { SECRET_VALUES, type PipelineConfig } from './pipeline-config.js';
import { embeddedPasswords, isSecretKey } from './secret-names.js';

/** The mask that replaces a secret. */
export const REDACTED = '***';

/**
 * Replaces every secret value of `config` in `text` with `***`: values of password/secret/token
 * keys, passwords inside connection URLs (also URL-encoded), and values interpolated from
 * variables whose name contains PASS, SECRET, TOKEN or KEY (recorded by the loader).
 */
export function redactSecrets(text: string, config: PipelineConfig): string {
  return redactValues(text, secretValuesOf(config));
}

/** Every secret value `config` holds, longest first. */
export function secretValuesOf(config: PipelineConfig): string[] {
  const found = new Set<string>(config[SECRET_VALUES] ?? []);
  const connectors = [config.source, config.destination, ...config.transforms];
  for (const c of connectors) collect(c.config, false, found);
  collect(config.state.connection, false, found);
  for (const n of config.notifications ?? []) {
    // every header value may be a credential (Authorization, X-Api-Key, ...); a Slack webhook's path is one
    collect(n.headers, true, found);
    if (n.secret !== undefined) found.add(n.secret);
    for (const p of embeddedPasswords(n.url)) found.add(p);
    if (n.format === 'slack') {
      const url = new URL(n.url);
      if (url.pathname.length > 1) found.add(url.pathname + url.search);
    }
  }
  return [...found];
}

/** Replaces each of `secrets` (and its URL-encoded form) in `text` with `***`, longest first. */
export function redactValues(text: string, secrets: Iterable<string>): string {
  const variants = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    variants.add(s);
    variants.add(encodeURIComponent(s));
  }
  let out = text;
  for (const s of [...variants].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

function collect(value: unknown, secret: boolean, found: Set<string>): void {
  if (typeof value === 'string') {
    if (secret && value !== '') found.add(value);
    for (const p of embeddedPasswords(value)) found.add(p);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, secret, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) collect(v, secret || isSecretKey(k), found);
  } else if (secret && (typeof value === 'number' || typeof value === 'bigint')) {
    found.add(String(value));
  }
}

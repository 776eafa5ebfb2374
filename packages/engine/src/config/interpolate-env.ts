/** One `${NAME}` / `${NAME:-default}` occurrence in a string scalar. */
export interface EnvReference {
  readonly name: string;
  /** What was inserted; undefined when the variable is unset and has no default. */
  readonly value: string | undefined;
}

/** The outcome of substituting the variables of one string. */
export interface InterpolationResult {
  /** The substituted text (unset variables without a default insert nothing). */
  readonly value: string;
  readonly references: readonly EnvReference[];
  /** Names of unset variables without a default, in order of appearance. */
  readonly missing: readonly string[];
  /** Set when the text holds a `${` that is not a valid reference. */
  readonly malformed?: string;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * The [start, end) range of a URL template's userinfo (`scheme://<userinfo>@host`), where a
 * substituted value must be percent-encoded to keep the URL parseable; undefined otherwise.
 */
function userinfoRange(template: string): [number, number] | undefined {
  const scheme = URL_SCHEME.exec(template);
  if (!scheme) return undefined;
  const at = template.lastIndexOf('@');
  return at > scheme[0].length ? [scheme[0].length, at] : undefined;
}

/**
 * Substitutes `${NAME}` and `${NAME:-default}` (the default applies when NAME is unset or
 * empty) in `template`. `$${` is a literal `${`. Values are inserted literally, except inside
 * the userinfo of a URL (`postgres://${USER}:${PW}@host/db`), where they are percent-encoded so
 * that a password with `@:/%` stays intact once the URL is parsed and decoded.
 */
export function interpolateEnv(
  template: string,
  env: Readonly<Record<string, string | undefined>>,
): InterpolationResult {
  const references: EnvReference[] = [];
  const missing: string[] = [];
  const userinfo = userinfoRange(template);
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!template.startsWith('${', i)) {
      out += template[i];
      i += 1;
      continue;
    }
    const close = template.indexOf('}', i + 2);
    if (close < 0) {
      return { value: out, references, missing, malformed: "unterminated '${' (write $${ for a literal ${)" };
    }
    const match = REFERENCE.exec(template.slice(i + 2, close));
    if (match === null) {
      return {
        value: out,
        references,
        missing,
        malformed: 'invalid variable reference: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)',
      };
    }
    const name = match[1];
    const fallback = match[2];
    const set = env[name];
    const value = set === undefined || (set === '' && fallback !== undefined) ? fallback : set;
    if (value === undefined) missing.push(name);
    else out += userinfo && i >= userinfo[0] && close < userinfo[1] ? encodeURIComponent(value) : value;
    references.push({ name, value });
    i = close + 1;
  }
  return { value: out, references, missing };
}

import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigPath } from './config-path.js';
import { interpolateEnv } from './interpolate-env.js';
import type { IssueCollector } from './issue-collector.js';
import { embeddedPasswords, isSecretKey, isSecretVariableName } from './secret-names.js';

const MAX_ALIASES = 100;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;
const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+)$/;

/** Context of one walk: where to report, where to put secrets, the environment. */
export interface TreeContext {
  readonly doc: Document;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly issues: IssueCollector;
  /** Filled with every secret value met (for redaction and for hiding values in messages). */
  readonly secrets: Set<string>;
}

/**
 * Turns the YAML document into plain data, substituting `${VAR}`s in string scalars and
 * recording every node's position and display policy in `ctx.issues.locations`. Unset
 * variables and malformed references become issues (all of them, not just the first).
 */
export function readYamlTree(ctx: TreeContext): unknown {
  const aliases = { count: 0 };
  return walk(ctx, ctx.doc.contents, [], undefined, aliases);
}

function walk(
  ctx: TreeContext,
  node: unknown,
  path: ConfigPath,
  keyOffset: number | undefined,
  aliases: { count: number },
): unknown {
  const secretPath = path.some((s) => typeof s === 'string' && isSecretKey(s));
  const valueOffset = (node as Node | null)?.range?.[0];
  if (isAlias(node)) {
    aliases.count += 1;
    if (aliases.count > MAX_ALIASES) {
      ctx.issues.locations.set(path, { keyOffset, valueOffset, secret: secretPath });
      ctx.issues.add(path, `too many aliases (more than ${MAX_ALIASES})`);
      return null;
    }
    return walk(ctx, node.resolve(ctx.doc), path, keyOffset ?? valueOffset, aliases);
  }
  if (isMap(node)) {
    ctx.issues.locations.set(path, { keyOffset, valueOffset, secret: secretPath });
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || typeof keyNode.value === 'object') {
        ctx.issues.add(path, 'mapping keys must be plain strings');
        continue;
      }
      const key = String(keyNode.value);
      const value = walk(ctx, pair.value, [...path, key], keyNode.range?.[0], aliases);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (isSeq(node)) {
    ctx.issues.locations.set(path, { keyOffset, valueOffset, secret: secretPath });
    return node.items.map((item, i) => walk(ctx, item, [...path, i], undefined, aliases));
  }
  if (!isScalar(node)) {
    ctx.issues.locations.set(path, { keyOffset, valueOffset, secret: secretPath });
    return null;
  }
  if (typeof node.value !== 'string') {
    ctx.issues.locations.set(path, { keyOffset, valueOffset, secret: secretPath });
    if (secretPath && node.value !== null && node.value !== undefined) ctx.secrets.add(String(node.value));
    return node.value ?? null;
  }
  return scalarString(ctx, node.value, node.type === 'PLAIN', path, keyOffset, valueOffset, secretPath);
}

function scalarString(
  ctx: TreeContext,
  template: string,
  plain: boolean,
  path: ConfigPath,
  keyOffset: number | undefined,
  valueOffset: number | undefined,
  secretPath: boolean,
): unknown {
  const result = interpolateEnv(template, ctx.env);
  const interpolated = result.references.length > 0 || result.malformed !== undefined || template.includes('$${');
  ctx.issues.locations.set(path, {
    keyOffset,
    valueOffset,
    secret: secretPath,
    template: interpolated ? template : undefined,
  });
  for (const ref of result.references) {
    if (ref.value !== undefined && ref.value !== '' && isSecretVariableName(ref.name)) ctx.secrets.add(ref.value);
  }
  if (secretPath && result.value !== '') ctx.secrets.add(result.value);
  for (const password of embeddedPasswords(result.value)) ctx.secrets.add(password);
  for (const name of result.missing) {
    ctx.issues.add(path, `environment variable ${name} is not set (set it, or write \${${name}:-default})`);
  }
  if (result.malformed !== undefined) ctx.issues.add(path, result.malformed);
  // An unquoted scalar that is one whole ${VAR} is typed like YAML would type the text:
  // `port: ${PG_PORT}` gives a number, `port: "${PG_PORT}"` stays a string.
  if (plain && WHOLE_REFERENCE.test(template) && result.missing.length === 0) return retype(result.value);
  return result.value;
}

function retype(text: string): unknown {
  if (INTEGER.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (FLOAT.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

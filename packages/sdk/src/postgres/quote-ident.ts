/**
 * SQL quoting. Every identifier this connector puts into SQL goes through `quoteIdent`, so mixed
 * case, reserved words, dots and embedded quotes all work and nothing is spliced in unquoted.
 */

/** `Users` -> `"Users"`, `a"b` -> `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `("public", "TypeZoo")` -> `"public"."TypeZoo"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A string literal that is correct whatever `standard_conforming_strings` says: values with a
 * backslash use the `E'...'` form with backslashes doubled.
 */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

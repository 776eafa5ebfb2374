const SECRET_KEY = /pass(word|wd|phrase)?$|password|secret|token|api_?key|private_?key|credential/i;
const SECRET_VARIABLE = /PASS|SECRET|TOKEN|KEY|CREDENTIAL|(^|_)PWD?(_|$)/i;
const URL_WITH_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:]*:([\s\S]*)@[^@]*$/;
const KEYWORD_PASSWORD = /\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]+)/gi;

/** True for config keys whose values are secrets (password, client_secret, api_token, ...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** True for environment variables whose values are secrets (names with PASS/SECRET/TOKEN/KEY/PW). */
export function isSecretVariableName(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/**
 * Passwords embedded in a connection string: `scheme://user:PASSWORD@host/...` (a literal
 * `@` in the password is allowed: the last `@` ends it) and libpq `password=...`.
 */
export function embeddedPasswords(text: string): string[] {
  const found: string[] = [];
  const url = URL_WITH_PASSWORD.exec(text);
  if (url !== null && url[1] !== '') found.push(url[1]);
  for (const m of text.matchAll(KEYWORD_PASSWORD)) {
    const raw = m[1];
    found.push(raw.startsWith("'") ? raw.slice(1, -1) : raw);
  }
  return found;
}

import { describe, expect, it } from 'vitest';
import { embeddedPasswords, isSecretKey, isSecretVariableName } from './secret-names.js';

describe('secret names', () => {
  it.each([
    'password',
    'PASSWORD',
    'db_password',
    'passwd',
    'client_secret',
    'api_token',
    'api_key',
    'apikey',
    'private_key',
    'pass',
  ])('key %s is secret', (key) => expect(isSecretKey(key)).toBe(true));
  it.each(['primary_key', 'url', 'user', 'schema', 'passthrough', 'sslmode', 'cursor_field'])(
    'key %s is not secret',
    (key) => expect(isSecretKey(key)).toBe(false),
  );
  it.each(['PG_PASSWORD', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'SHOP_PW', 'PW', 'DB_PWD'])(
    'variable %s is secret',
    (n) => expect(isSecretVariableName(n)).toBe(true),
  );
  it.each(['HOME', 'PG_HOST', 'POWER', 'SCHEMA'])('variable %s is not secret', (n) =>
    expect(isSecretVariableName(n)).toBe(false),
  );

  it('finds passwords in URLs (also with a literal @) and libpq strings', () => {
    expect(embeddedPasswords('postgres://u:p@ss:w/rd%@h:5432/db')).toEqual(['p@ss:w/rd%']);
    expect(embeddedPasswords('postgres://u@h/db')).toEqual([]);
    expect(embeddedPasswords('postgres://h/db')).toEqual([]);
    expect(embeddedPasswords("host=h password='a b' user=u")).toEqual(['a b']);
    expect(embeddedPasswords('host=h password=xyz')).toEqual(['xyz']);
  });
});

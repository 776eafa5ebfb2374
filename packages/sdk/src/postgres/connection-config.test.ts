import { describe, expect, it } from 'vitest';
import { parseConnectionConfig, parsePostgresUrl, truncateUtf8 } from './connection-config.js';

describe('parsePostgresUrl', () => {
  it('reads every part', () => {
    const r = parsePostgresUrl('postgres://reader:secret@db.example.com:6543/shop?sslmode=require');
    expect(r).toEqual({
      ok: true,
      value: {
        host: 'db.example.com',
        port: 6543,
        user: 'reader',
        password: 'secret',
        database: 'shop',
        sslmode: 'require',
        ignoredParams: [],
      },
    });
  });

  it('percent-decodes @ : / % in the password and the user', () => {
    const r = parsePostgresUrl('postgresql://us%40er:p%40ss%3Aw%2Ford%25x@127.0.0.1/wh');
    expect(r.ok && r.value.user).toBe('us@er');
    expect(r.ok && r.value.password).toBe('p@ss:w/ord%x');
    expect(r.ok && r.value.host).toBe('127.0.0.1');
    expect(r.ok && r.value.port).toBeUndefined();
  });

  it('tolerates an unencoded @ and : in the password', () => {
    const r = parsePostgresUrl('postgres://u:a@b:c@host:5433/db');
    expect(r.ok && [r.value.user, r.value.password, r.value.host, r.value.port]).toEqual(['u', 'a@b:c', 'host', 5433]);
  });

  it('accepts IPv6 hosts, a missing path and the scheme in any case', () => {
    const r = parsePostgresUrl('POSTGRES://u@[::1]:5432');
    expect(r.ok && [r.value.host, r.value.port, r.value.database]).toEqual(['::1', 5432, undefined]);
  });

  it('decodes the database and reports unknown parameters', () => {
    const r = parsePostgresUrl('postgres://u:p@h/my%20db?connect_timeout=10&sslmode=disable');
    expect(r.ok && r.value.database).toBe('my db');
    expect(r.ok && r.value.sslmode).toBe('disable');
    expect(r.ok && r.value.ignoredParams).toEqual(['connect_timeout']);
  });

  it('rejects other schemes, bad ports, bad sslmode and bad encodings without echoing the password', () => {
    expect(parsePostgresUrl('mysql://u@h/db').ok).toBe(false);
    expect(parsePostgresUrl('postgres://u@h:99999/db').ok).toBe(false);
    expect(parsePostgresUrl('postgres://u@h:abc/db').ok).toBe(false);
    const mode = parsePostgresUrl('postgres://u@h/db?sslmode=sometimes');
    expect(!mode.ok && mode.message).toContain('disable, prefer, require, verify-full');
    const bad = parsePostgresUrl('postgres://u:s3cr%zz@h/db');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.key).toBe('url');
    expect(!bad.ok && bad.message).not.toContain('s3cr');
  });
});

describe('parseConnectionConfig', () => {
  it('builds connect options from discrete keys with defaults', () => {
    const r = parseConnectionConfig({ host: 'h', user: 'u', database: 'd' }, 'rapidbyte/p');
    expect(r).toEqual({
      ok: true,
      value: {
        host: 'h',
        port: 5432,
        user: 'u',
        password: '',
        database: 'd',
        sslMode: 'prefer',
        applicationName: 'rapidbyte/p',
        ignoredParams: [],
      },
    });
  });

  it('lets explicit password and sslmode win over the URL, and defaults the database to the user', () => {
    const r = parseConnectionConfig(
      { url: 'postgres://loader:old@h?sslmode=disable', password: 'new', sslmode: 'require' },
      'x',
    );
    expect(r.ok && [r.value.password, r.value.sslMode, r.value.database]).toEqual(['new', 'require', 'loader']);
  });

  it('names the missing key', () => {
    const r = parseConnectionConfig({ host: 'h', database: 'd' }, 'x');
    expect(!r.ok && r.key).toBe('user');
    const u = parseConnectionConfig({ url: 'postgres://h/db' }, 'x');
    expect(!u.ok && u.key).toBe('url');
  });

  it('keeps application_name within 63 bytes', () => {
    const r = parseConnectionConfig({ host: 'h', user: 'u', database: 'd' }, 'rapidbyte/' + 'é'.repeat(60));
    expect(r.ok && Buffer.byteLength(r.value.applicationName)).toBeLessThanOrEqual(63);
  });
});

describe('truncateUtf8', () => {
  it('never splits a character', () => {
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});

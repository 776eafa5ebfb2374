import { describe, expect, it } from 'vitest';
import { endpointHosts, hostsOfEndpoint } from './endpoint-hosts.js';

describe('hostsOfEndpoint', () => {
  it.each([
    ['postgres://reader@db.example.com/shop', ['db.example.com']],
    ['postgresql://user:pw@db.example.com:6432/shop?sslmode=require', ['db.example.com']],
    ['postgres://127.0.0.1:5432/db', ['127.0.0.1']],
    ['postgres://db.example.com', ['db.example.com']],
    ['postgresql://u:pw@host1:5432,host2:5433/db?target_session_attrs=read-write', ['host1', 'host2']],
    ['postgresql://u:pw@[::1]:5432/db', ['::1']],
    ['postgresql://u@[2001:db8::7],host2/db', ['2001:db8::7', 'host2']],
    ['postgresql:///db?host=/var/run/postgresql', ['/var/run/postgresql']],
    ['postgresql://u@/db?host=%2Fvar%2Frun%2Fpostgresql&port=5433', ['/var/run/postgresql']],
    ['postgresql://%2Fvar%2Flib%2Fpostgresql/db', ['/var/lib/postgresql']],
    [
      'postgresql://u@a.example.com/db?host=b.example.com,c.example.com&hostaddr=10.0.0.9',
      ['a.example.com', 'b.example.com', 'c.example.com', '10.0.0.9'],
    ],
    ['https://api.example.com/v1/items?page=2', ['api.example.com']],
    ['HTTP://API.Example.com:8080', ['API.Example.com']],
    ['host=db1,db2 port=5432,5433 dbname=shop password=secret', ['db1', 'db2']],
    ["host='/tmp' hostaddr=10.1.2.3 user=x", ['/tmp', '10.1.2.3']],
    ['db.example.com', ['db.example.com']],
    ['db.example.com:5432', ['db.example.com']],
    ['a.example.com, b.example.com', ['a.example.com', 'b.example.com']],
    ['[::1]', ['::1']],
    ['::1', ['::1']],
    ['fe80::1%eth0', ['fe80::1%eth0']],
    ['/var/run/postgresql', ['/var/run/postgresql']],
    ['  db.example.com  ', ['db.example.com']],
    ['postgres://x@DB.example.com,db.EXAMPLE.com/db', ['DB.example.com']],
  ])('%s → %j', (value, hosts) => {
    expect(hostsOfEndpoint(value)).toEqual(hosts);
  });

  it.each([
    ['', 'empty'],
    ['postgres:///db', 'no host at all'],
    ['postgres://u:pw@db:notaport/x', 'a port that is not a number'],
    ['postgres://u:pw@[::1/x', 'an unterminated IPv6 bracket'],
    ['not a host at all', 'words with spaces'],
  ])('names no host for %j (%s)', (value) => {
    expect(hostsOfEndpoint(value)).toEqual([]);
  });

  it('never returns the password, whatever the URL looks like', () => {
    const cases: [string, string][] = [
      ['postgresql://user:s3cr3tpw@db.example.com:5432/db', 's3cr3tpw'],
      ['postgres://user:p@ss@db.example.com/db', 'p@ss'],
      // an unencoded `/`, `?` or `#` in the password ends the authority early
      ['postgres://user:s3cr3t/pw@db.example.com/db', 's3cr3t'],
      ['postgres://user:s3cr3t?host=leak@db.example.com/db', 's3cr3t'],
      ['postgres://user:x?host=s3cr3tpw&y@db.example.com/db', 's3cr3tpw'],
      ['postgres://user:s3cr3t#frag@db.example.com/db', 's3cr3t'],
      ['postgres://s3cr3tpw:@db.example.com/db', 'unused'],
      ['host=db.example.com password=s3cr3tpw', 's3cr3tpw'],
      ["host=db.example.com password='s3cr3t pw'", 's3cr3t'],
      ["password='x host=s3cr3tpw' host=db.example.com", 's3cr3tpw'],
    ];
    for (const [url, password] of cases) {
      const hosts = hostsOfEndpoint(url);
      expect(hosts.join(' '), url).not.toContain(password);
    }
    expect(hostsOfEndpoint('postgresql://user:s3cr3tpw@db.example.com:5432/db')).toEqual(['db.example.com']);
    // a host that happens to be part of a well-formed password is still the host
    expect(hostsOfEndpoint('postgres://u:adbc@db/x')).toEqual(['db']);
    // an `@` in a query value: the host before it stays, host parameters after the userinfo-like part are dropped
    expect(hostsOfEndpoint('postgres://h:5432/db?application_name=a@b')).toEqual(['h']);
  });
});

describe('endpointHosts', () => {
  it('reads the declared fields, dotted paths and lists, each host once with its first field', () => {
    const config = {
      url: 'postgres://u:pw@primary.example.com:5432,replica.example.com/db',
      host: 'primary.example.com',
      replica: { url: 'postgres://replica2.example.com/db' },
      mirrors: ['m1.example.com:5432', 'postgres://m2.example.com/db', 7],
      password: 'db.not-an-endpoint.com',
    };
    expect(
      endpointHosts(config, ['url', 'host', 'replica.url', 'mirrors', 'missing', 'replica.missing.deeper']),
    ).toEqual([
      { host: 'primary.example.com', field: 'url' },
      { host: 'replica.example.com', field: 'url' },
      { host: 'replica2.example.com', field: 'replica.url' },
      { host: 'm1.example.com', field: 'mirrors' },
      { host: 'm2.example.com', field: 'mirrors' },
    ]);
  });

  it('names nothing when the manifest declares no endpoint fields, or the fields are not strings', () => {
    expect(endpointHosts({ url: 'postgres://db.example.com/x' }, [])).toEqual([]);
    expect(endpointHosts({ host: 5432, url: { nested: true } }, ['host', 'url'])).toEqual([]);
  });

  it('key/value host fields of a discrete config', () => {
    expect(endpointHosts({ host: '10.0.0.5', port: 5432, user: 'x', database: 'y' }, ['url', 'host'])).toEqual([
      { host: '10.0.0.5', field: 'host' },
    ]);
  });
});

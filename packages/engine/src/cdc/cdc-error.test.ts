import { describe, expect, it } from 'vitest';
import { ReplicationError } from '../replication/replication-error.js';
import { cdcError, replicationFailure } from './cdc-error.js';

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('replicationFailure: a failed replication connection is classified like any host error', () => {
  it.each([
    [
      'a walsender still holding the slot (55006)',
      pgError('55006', 'replication slot "s" is active for PID 42'),
      'transient',
      'OBJECT_IN_USE',
    ],
    [
      'an administrator shutdown (57P01)',
      pgError('57P01', 'terminating connection due to administrator command'),
      'transient',
      'ADMIN_SHUTDOWN',
    ],
    ['a reset socket', pgError('ECONNRESET', 'read ECONNRESET'), 'transient', 'CONNECTION_FAILED'],
    ['a connection that ended', new Error('Connection terminated unexpectedly'), 'transient', 'CONNECTION_LOST'],
    [
      'a server message of its own',
      new Error('terminating walsender process due to replication timeout'),
      'transient',
      'CONNECTION_LOST',
    ],
    ['an unknown SQLSTATE', pgError('XX000', 'internal error'), 'permanent', 'SQLSTATE_XX000'],
    ['anything else', new Error('boom'), 'permanent', 'REPLICATION_FAILED'],
  ])('%s', (_what, error, kind, code) => {
    const wit = replicationFailure('rapidbyte_p', error);
    expect(wit).toMatchObject({ kind, code });
    expect(wit.message).toMatch(/^replication from slot "rapidbyte_p" failed: /);
    expect(wit.message).toContain((error as Error).message);
  });

  it('keeps the code of a typed error (a pgoutput protocol error was REPLICATION_FAILED before)', () => {
    expect(replicationFailure('s', new ReplicationError('PGOUTPUT_PROTOCOL', 'malformed'))).toMatchObject({
      kind: 'permanent',
      code: 'PGOUTPUT_PROTOCOL',
    });
    expect(replicationFailure('s', cdcError('SLOT_MISSING', 'gone'))).toMatchObject({
      kind: 'permanent',
      code: 'SLOT_MISSING',
    });
  });

  it('keeps the SQLSTATE of a server error', () => {
    expect(replicationFailure('s', pgError('55006', 'in use')).sqlstate).toBe('55006');
  });
});

import { describe, expect, it } from 'vitest';
import { classifyError } from './classify-error.js';

const pgError = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['57P01', 'transient', 'ADMIN_SHUTDOWN'],
    ['40001', 'transient', 'SERIALIZATION_FAILURE'],
    ['40P01', 'transient', 'DEADLOCK'],
    ['53300', 'transient', 'TOO_MANY_CONNECTIONS'],
    ['08006', 'transient', 'SQLSTATE_08006'],
    ['55P03', 'transient', 'LOCK_TIMEOUT'],
    ['28P01', 'permanent', 'AUTH_FAILED'],
    ['42P01', 'permanent', 'TABLE_NOT_FOUND'],
    ['42501', 'permanent', 'PERMISSION_DENIED'],
    ['22003', 'permanent', 'SQLSTATE_22003'],
    ['57014', 'permanent', 'SQLSTATE_57014'],
  ])('SQLSTATE %s is %s (%s)', (sqlstate, kind, code) => {
    expect(classifyError(pgError(sqlstate))).toMatchObject({ kind, code, sqlstate });
  });

  it('treats refused and reset connections as transient, also EPIPE (five capitals, not a SQLSTATE)', () => {
    expect(classifyError(pgError('EPIPE', 'write EPIPE'))).toMatchObject({
      kind: 'transient',
      code: 'CONNECTION_FAILED',
    });
    expect(classifyError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toMatchObject({
      kind: 'transient',
      code: 'CONNECTION_FAILED',
    });
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toMatchObject({
      kind: 'transient',
      code: 'CONNECTION_LOST',
    });
  });

  it('a query on a client whose connection the server killed is a transient CONNECTION_LOST', () => {
    expect(classifyError(new Error('Client has encountered a connection error and is not queryable'))).toMatchObject({
      kind: 'transient',
      code: 'CONNECTION_LOST',
    });
  });

  it('keeps the kind and code of typed errors', () => {
    const typed = Object.assign(new Error('no'), { kind: 'permanent', code: 'NETWORK_DENIED' });
    expect(classifyError(typed)).toEqual({
      kind: 'permanent',
      code: 'NETWORK_DENIED',
      message: 'no',
      column: undefined,
    });
  });

  it('defaults to permanent', () => {
    expect(classifyError(new Error('weird'))).toMatchObject({ kind: 'permanent', code: 'HOST_ERROR' });
    expect(classifyError('a string')).toMatchObject({ kind: 'permanent', message: 'a string' });
  });
});

describe('classifyError keeps what the server said', () => {
  it('appends the DETAIL and HINT of a server error to its message', () => {
    const error = Object.assign(new Error('cannot add relation "scratch" to publication'), {
      code: '22023',
      detail: 'This operation is not supported for unlogged tables.',
      hint: 'Try SET LOGGED.',
    });
    expect(classifyError(error).message).toBe(
      'cannot add relation "scratch" to publication (DETAIL: This operation is not supported for unlogged tables. HINT: Try SET LOGGED.)',
    );
    expect(classifyError(Object.assign(new Error('boom'), { code: '22023' })).message).toBe('boom');
  });
});

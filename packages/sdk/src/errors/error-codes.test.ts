import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../guest/connector-error.js';
import { ERROR_KINDS } from '../guest/wit-types.js';
import { errorCodeInfo, isErrorCode } from './error-code-info.js';
import { ERROR_CATEGORY_EXIT_CODES, ERROR_CODES } from './error-codes.js';
import { sqlstateCode } from './sqlstate-code.js';

describe('ERROR_CODES', () => {
  it('the exit codes of the categories are the documented ones (README, `rapidbyte --help`)', () => {
    expect(ERROR_CATEGORY_EXIT_CODES).toEqual({
      failure: 1,
      config: 2,
      connection: 3,
      data: 4,
      partial: 5,
      interrupted: 130,
    });
  });

  it.each(Object.entries(ERROR_CODES))('%s has a kind, an exit code and a one-line fix-it hint', (code, spec) => {
    expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(ERROR_KINDS).toContain(spec.kind);
    expect(Object.values(ERROR_CATEGORY_EXIT_CODES)).toContain(errorCodeInfo(code).exit);
    expect(spec.hint.length).toBeGreaterThan(10);
    expect(spec.hint).not.toMatch(/\n/);
    expect(spec.hint.length).toBeLessThanOrEqual(200);
    expect(errorCodeInfo(code)).toMatchObject({
      code,
      kind: spec.kind,
      category: spec.category,
      hint: spec.hint,
      known: true,
    });
  });

  it('a code never names a SQLSTATE family (those are derived: SQLSTATE_<state>)', () => {
    expect(Object.keys(ERROR_CODES).filter((c) => c.startsWith('SQLSTATE_'))).toEqual([]);
  });

  it('every SQLSTATE with a name of its own is registered', () => {
    for (const state of [
      '28P01',
      '28000',
      '3D000',
      '42P01',
      '42703',
      '42501',
      '57P01',
      '40001',
      '40P01',
      '53300',
      '55P03',
      '55006',
    ]) {
      expect(isErrorCode(sqlstateCode(state)), state).toBe(true);
    }
  });

  it('a read that row-level security would have filtered is ROW_SECURITY_FILTERED, other 42501s PERMISSION_DENIED', () => {
    expect(sqlstateCode('42501', 'query would be affected by row-level security policy for table "acct"')).toBe(
      'ROW_SECURITY_FILTERED',
    );
    expect(sqlstateCode('42501', 'permission denied for table acct')).toBe('PERMISSION_DENIED');
    expect(isErrorCode('ROW_SECURITY_FILTERED')).toBe(true);
  });
});

describe('codes that had drifted apart are one', () => {
  it("a connector config error is CONFIG_INVALID (exit 2), as the engine's; INVALID_CONFIG is gone", () => {
    expect(errorCodeInfo('CONFIG_INVALID')).toMatchObject({ category: 'config', exit: 2 });
    expect(isErrorCode('INVALID_CONFIG')).toBe(false);
  });

  it("the COPY encoder's and decoder's value errors are data errors (exit 4), not failures (exit 1)", () => {
    for (const code of [
      'NULL_IN_NOT_NULL',
      'VALUE_OUT_OF_RANGE',
      'UNSUPPORTED_CONVERSION',
      'MISSING_COLUMN',
      'BAD_VALUE',
    ]) {
      expect(errorCodeInfo(code).exit, code).toBe(4);
    }
  });

  it('one name for one condition: NULL_IN_NOT_NULL, PRIMARY_KEY_REQUIRED, BAD_HANDLE', () => {
    for (const gone of ['NULL_VALUE', 'NO_PRIMARY_KEY', 'BAD_FRAME_HANDLE', 'COPY_ENCODE', 'DATA_ERROR'])
      expect(isErrorCode(gone), gone).toBe(false);
  });

  it("connector-detected configuration problems exit 2 like the engine's", () => {
    for (const code of [
      'UNSUPPORTED_MODE_PAIR',
      'CURSOR_FIELD_REQUIRED',
      'LOOKBACK_INVALID',
      'PRIMARY_KEY_REQUIRED',
      'CONNECTOR_UNAVAILABLE',
    ]) {
      expect(errorCodeInfo(code).exit, code).toBe(2);
    }
  });

  it('a stalled CDC stream is a permanent partial failure (exit 5); an interrupt exits 130', () => {
    expect(errorCodeInfo('CDC_STALLED')).toMatchObject({ kind: 'permanent', exit: 5 });
    expect(errorCodeInfo('CANCELLED')).toMatchObject({ exit: 130 });
  });

  it('a stream or run past resources.timeouts is a permanent partial failure (exit 5) whose hint names the key', () => {
    expect(errorCodeInfo('TIMEOUT')).toMatchObject({ kind: 'permanent', category: 'partial', exit: 5, known: true });
    expect(errorCodeInfo('TIMEOUT').hint).toMatch(/resources\.timeouts/);
  });
});

describe('errorCodeInfo of codes outside the registry', () => {
  it.each([
    ['SQLSTATE_23505', 'permanent', 4],
    ['SQLSTATE_22003', 'permanent', 4],
    ['SQLSTATE_08006', 'transient', 3],
    ['SQLSTATE_28001', 'permanent', 3],
    ['SQLSTATE_57P02', 'transient', 1],
    ['SQLSTATE_53100', 'transient', 1],
    ['SQLSTATE_42P07', 'permanent', 1],
    ['SQLSTATE_57014', 'permanent', 1],
  ])('%s is %s, exit %i, with a hint naming the SQLSTATE', (code, kind, exit) => {
    const info = errorCodeInfo(code);
    expect(info).toMatchObject({ kind, exit, known: true });
    expect(info.hint).toContain(code.slice('SQLSTATE_'.length));
  });

  it("a third-party connector's own code, as it arrives over WIT, is a permanent connector failure (exit 1) with a hint", () => {
    const wire = new ConnectorError('transient', 'ACME_QUOTA_EXCEEDED', 'quota exceeded').toWit();
    const info = errorCodeInfo(ConnectorError.fromWit(wire).code);
    expect(info).toMatchObject({
      code: 'ACME_QUOTA_EXCEEDED',
      kind: 'permanent',
      category: 'failure',
      exit: 1,
      known: false,
    });
    expect(info.hint).toContain('ACME_QUOTA_EXCEEDED');
    expect(errorCodeInfo('SQLSTATE_nope')).toMatchObject({ exit: 1, known: false });
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { DiscoverFailed } from '../orchestrator/discover-failed.js';
import { ConnectorUnavailable, RunOptionsInvalid } from '../orchestrator/run-pipeline.js';
import { EXIT_CODES, EXIT_CODES_HELP, exitCodeForError } from './exit-codes.js';
import { reportFailure } from './report-failure.js';

describe('exitCodeForError', () => {
  it.each([
    ['CONFIG_INVALID', 2],
    ['UNSUPPORTED_MODE_PAIR', 2],
    ['AUTH_FAILED', 3],
    ['NETWORK_DENIED', 3],
    ['SQLSTATE_08006', 3],
    ['ROW_REJECTED', 4],
    ['NULL_IN_NOT_NULL', 4],
    ['VALUE_OUT_OF_RANGE', 4],
    ['SQLSTATE_23505', 4],
    ['CDC_STALLED', 5],
    ['TIMEOUT', 5],
    ['CANCELLED', 130],
    ['TABLE_NOT_FOUND', 1],
    ['REFERENCED_ROWS_MISSING', 1],
    ['ACME_OWN_CODE', 1],
  ])('%s exits %i', (code, exit) => {
    expect(exitCodeForError(code)).toBe(exit);
  });

  it('--help lists every exit code', () => {
    for (const exit of Object.values(EXIT_CODES)) expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${exit} `, 'm'));
  });
});

describe('reportFailure exits with the code of the error it reports', () => {
  const quietly = (error: unknown): number => {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      return reportFailure(error);
    } finally {
      process.stderr.write = write;
    }
  };

  it.each([
    ['a config error', new ConfigError([{ file: 'p.yaml', path: 'version', message: 'bad' }]), 2],
    ['an unknown connector', new ConnectorUnavailable('nope'), 2],
    ['run options that do not fit (was exit 1)', new RunOptionsInvalid('--limit only works with --dry-run'), 2],
    [
      'a CLI argument with code CONFIG_INVALID (was exit 1)',
      Object.assign(new Error('--run must be a positive integer'), { code: 'CONFIG_INVALID' }),
      2,
    ],
    [
      'a discover that could not log in',
      new DiscoverFailed('source-postgres', 'AUTH_FAILED', 'password authentication failed'),
      3,
    ],
    ['a Node error code', Object.assign(new Error('no such file'), { code: 'ENOENT' }), 1],
    ['anything else', new Error('boom'), 1],
  ])('%s', (_what, error, exit) => {
    expect(quietly(error)).toBe(exit);
  });
});

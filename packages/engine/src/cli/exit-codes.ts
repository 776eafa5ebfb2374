/** Process exit codes of the `rapidbyte` CLI (documented in the README and `--help`). */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  configError: 2,
  connectionError: 3,
  dataError: 4,
  partialFailure: 5,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const CONNECTION_CODES = new Set(['AUTH_FAILED', 'CONNECTION_FAILED', 'CONNECTION_LOST', 'NETWORK_DENIED', 'DATABASE_NOT_FOUND', 'TOO_MANY_CONNECTIONS']);
const DATA_CODES = new Set(['ROW_REJECTED', 'COPY_ENCODE', 'DATA_ERROR', 'COLUMN_MISSING_AT_DESTINATION', 'VALIDATION_FAILED', 'CAST_FAILED']);

/** The exit code for a failed stream's error code. */
export function exitCodeForError(code: string): ExitCode {
  if (CONNECTION_CODES.has(code)) return EXIT_CODES.connectionError;
  if (DATA_CODES.has(code) || code.startsWith('SQLSTATE_22') || code.startsWith('SQLSTATE_23')) return EXIT_CODES.dataError;
  if (code === 'CONFIG_INVALID') return EXIT_CODES.configError;
  return EXIT_CODES.failure;
}

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    failure (a stream failed, or the pipeline is already running)
  2    configuration error
  3    connection or authentication error
  4    data error (a value the destination rejected)
  5    partial failure (some streams succeeded, some failed)
  130  interrupted (SIGINT/SIGTERM)`;

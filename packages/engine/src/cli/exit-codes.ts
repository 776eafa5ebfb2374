import { ERROR_CATEGORY_EXIT_CODES as BY_CATEGORY, errorCodeInfo } from '@rapidbyte/sdk/contract';

/** Process exit codes of the `rapidbyte` CLI (documented in the README and `--help`). */
export const EXIT_CODES = {
  ok: 0,
  failure: BY_CATEGORY.failure,
  configError: BY_CATEGORY.config,
  connectionError: BY_CATEGORY.connection,
  dataError: BY_CATEGORY.data,
  partialFailure: BY_CATEGORY.partial,
  interrupted: BY_CATEGORY.interrupted,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code for a failed stream's error code: from its category in the SDK's code registry. */
export function exitCodeForError(code: string): ExitCode {
  return errorCodeInfo(code).exit;
}

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    failure (a stream failed, or the pipeline is already running)
  2    configuration error
  3    connection or authentication error
  4    data error (a value the destination rejected)
  5    partial failure (some streams succeeded, some failed)
  130  interrupted (SIGINT/SIGTERM)`;

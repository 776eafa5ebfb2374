import { errorCodeInfo } from '@rapidbyte/sdk/contract';
import { redactSecrets, type PipelineConfig } from '../config/index.js';
import { EXIT_CODES, exitCodeForError, type ExitCode } from './exit-codes.js';

/**
 * Prints a command's error on stderr (secrets redacted) and returns its exit code: the one of
 * its registered code (CONFIG_INVALID, CONNECTOR_UNAVAILABLE, a failed discover's AUTH_FAILED, …),
 * else 1 (a Node error's own code such as ENOENT is not ours).
 */
export function reportFailure(error: unknown, config?: PipelineConfig): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rapidbyte: ${config ? redactSecrets(message, config) : message}\n`);
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && errorCodeInfo(code).known ? exitCodeForError(code) : EXIT_CODES.failure;
}

import { ConfigError, redactSecrets, type PipelineConfig } from '../config/index.js';
import { DiscoverFailed } from '../orchestrator/discover-failed.js';
import { ConnectorUnavailable } from '../orchestrator/run-pipeline.js';
import { EXIT_CODES, exitCodeForError, type ExitCode } from './exit-codes.js';

/** Prints a command's error on stderr (secrets redacted) and returns its exit code. */
export function reportFailure(error: unknown, config?: PipelineConfig): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rapidbyte: ${config ? redactSecrets(message, config) : message}\n`);
  if (error instanceof ConfigError) return EXIT_CODES.configError;
  if (error instanceof ConnectorUnavailable) return EXIT_CODES.configError;
  if (error instanceof DiscoverFailed) return exitCodeForError(error.code);
  return EXIT_CODES.failure;
}

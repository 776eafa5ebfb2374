import { errorCodeInfo } from '@rapidbyte/sdk/contract';
import type { RunResult } from '../orchestrator/run-result.js';

/** The fix-it hint of a failed stream's error code (from the SDK's code registry). */
export function errorHint(code: string): string {
  return errorCodeInfo(code).hint;
}

/** The run result with each failed stream's error carrying its code's hint: what `run --json` prints. */
export function withErrorHints(result: RunResult): RunResult {
  return {
    ...result,
    streams: result.streams.map((s) => (s.error ? { ...s, error: { ...s.error, hint: errorHint(s.error.code) } } : s)),
  };
}

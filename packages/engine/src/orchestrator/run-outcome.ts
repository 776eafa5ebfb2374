import { classifyError } from '../errors/classify-error.js';
import type { RunOutcome } from '../state/index.js';
import type { RunResult, StreamResult } from './run-result.js';

/**
 * What the run history records with a run's final status: the error of the first stream that did
 * not succeed (named in the message, so `rapidbyte runs` shows which), and why.
 */
export function runOutcomeOf(status: RunResult['status'], streams: readonly StreamResult[]): RunOutcome {
  if (status === 'succeeded') return {};
  if (status === 'cancelled') return { reason: 'stopped by a signal (SIGINT/SIGTERM) before every stream finished' };
  const unfinished = streams.filter((s) => s.status !== 'succeeded');
  const first = unfinished.find((s) => s.error !== undefined) ?? unfinished[0];
  const error = first?.error
    ? { code: first.error.code, kind: first.error.kind, message: `${first.stream}: ${first.error.message}` }
    : undefined;
  const failed = `${unfinished.length} of ${streams.length} stream${streams.length === 1 ? '' : 's'} did not succeed`;
  return { reason: error ? `${failed}; ${error.code}: ${error.message}` : failed, ...(error ? { error } : {}) };
}

/** The outcome of a run that threw after it began; `redact` removes the config's secrets from the message. */
export function thrownRunOutcome(thrown: unknown, redact: (text: string) => string): RunOutcome {
  const { code, kind, message } = classifyError(thrown, 'RUN_FAILED');
  return { error: { code, kind, message: redact(message) } };
}

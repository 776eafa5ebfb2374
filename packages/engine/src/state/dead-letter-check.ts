import { StateError } from './state-error.js';
import type { DeadLetter } from './state-records.js';

/** Refuses (INVALID_ARGUMENT, with its index) a dead letter whose fields are not text or whose record is not JSON. */
export function checkDeadLetter(letter: DeadLetter, index: number): void {
  const bad = (why: string): StateError =>
    new StateError('INVALID_ARGUMENT', `dead letter ${index} (stream "${letter.stream}"): ${why}`, {
      details: { index, runId: letter.runId, stream: letter.stream },
    });
  for (const field of ['stream', 'record', 'error', 'category'] as const) {
    if (typeof letter[field] !== 'string') throw bad(`${field} must be text`);
  }
  if (!Number.isSafeInteger(letter.runId)) throw bad('runId must be an integer');
  try {
    JSON.parse(letter.record);
  } catch (cause) {
    throw bad(`record is not JSON (${(cause as Error).message})`);
  }
}

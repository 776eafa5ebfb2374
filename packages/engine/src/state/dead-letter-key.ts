import { createHash } from 'node:crypto';
import type { DeadLetter } from './state-records.js';

/**
 * The dedupe key of a dead letter: sha256 of (pipeline, stream, record, error). The state DB keeps
 * one dead letter per key (a unique index; inserts skip a key it has), so a checkpoint interval
 * replayed after a crash or a retry — which rejects the same rows again — adds no copies. The rule
 * users see: a pipeline stores a given bad record with a given error once per stream; the first
 * run that met it keeps it.
 */
export function deadLetterKey(pipeline: string, letter: Pick<DeadLetter, 'stream' | 'record' | 'error'>): string {
  return createHash('sha256')
    .update([pipeline, letter.stream, letter.record, letter.error].join('\u0000'))
    .digest('hex');
}

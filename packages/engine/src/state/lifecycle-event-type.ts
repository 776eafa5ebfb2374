import type { RunStatus } from './run-status.js';
import type { StreamStatus } from './stream-status.js';
import type { EventType } from '../config/event-types.js';

/** The event a run's move to `to` writes, if any (`pending` writes none: the run has not started). */
export function runEventType(to: RunStatus): EventType | undefined {
  switch (to) {
    case 'running':
      return 'run.started';
    case 'succeeded':
      return 'run.succeeded';
    case 'failed':
    case 'partial':
      return 'run.failed';
    case 'interrupted':
      return 'run.interrupted';
    case 'cancelled':
      return 'run.cancelled';
    default:
      return undefined;
  }
}

/**
 * The event a stream's own move from `from` to `to` writes, if any. A retry's move back to
 * `running` writes none (its `stream.retrying` said so). Streams closed together with their run
 * (failed, cancelled or interrupted) write none either: the run's event reports them.
 */
export function streamEventType(from: StreamStatus | null, to: StreamStatus): EventType | undefined {
  if (to === 'running') return from === 'pending' ? 'stream.started' : undefined;
  if (to === 'retrying') return 'stream.retrying';
  if (to === 'succeeded') return 'stream.succeeded';
  if (to === 'failed') return 'stream.failed';
  return undefined;
}

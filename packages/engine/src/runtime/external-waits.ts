import type { Request, Response } from '@rapidbyte/sdk/contract';
import type { StepClock } from './step-clock.js';

/**
 * Requests that wait on a system outside the engine — the database (a query, a lock, a COPY's
 * next bytes, a snapshot waiting for open transactions) or a network peer. `next-frame` and
 * `pg-replication-next` wait on the engine itself (the previous stage, the replication hub), so
 * they are not: a stage waiting on them while nothing moves is what a stall looks like.
 */
export function waitsOnExternalSystem(request: Request): boolean {
  const tag = (request as { tag?: unknown } | null)?.tag;
  if (typeof tag !== 'string') return false;
  if (tag === 'pg-replication-next') return false;
  return tag.startsWith('pg-') || tag === 'http' || tag.startsWith('tcp-');
}

/**
 * Stamps `clock`'s `slot` while a request to an external system is in flight, so the main
 * thread's stall watchdog can tell a stage waiting on its database from a stage that hangs.
 */
export function trackExternalWaits<D extends { fulfil(request: Request): Promise<Response> }>(dispatcher: D, clock: StepClock, slot: number): Pick<D, 'fulfil'> {
  return {
    fulfil: async (request: Request): Promise<Response> => {
      if (!waitsOnExternalSystem(request)) return dispatcher.fulfil(request);
      clock.enter(slot);
      try {
        return await dispatcher.fulfil(request);
      } finally {
        clock.leave(slot);
      }
    },
  };
}

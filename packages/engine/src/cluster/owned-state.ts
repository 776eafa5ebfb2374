import { isTerminalStreamStatus, type StateStore, type StreamStatus } from '../state/index.js';

/** What a chain execution writes to the state DB: run history, cursors, connector state, dead letters. */
const CHAIN_WRITES = new Set<string>([
  'transition',
  'recordStreamCounts',
  'putCursor',
  'deleteCursors',
  'putKv',
  'casKv',
  'deleteKv',
  'addDeadLetters',
  'appendEvent',
]);

/** A chain execution that no longer owns its chain (its worker was lost and another runs it). */
export class ChainNotOwned extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'FENCED';
}

/**
 * The state store as one chain execution may use it: every write first checks that this execution
 * still owns the chain (`owns`: its worker's lease is live and the chain's row names it). A worker
 * that was lost and wakes up (a zombie) then records nothing over the run of the worker that took
 * its chain over; its destination commits are refused by the destination's own fencing. While
 * `handingOver` (the worker stops and leaves its chains to the others), a chain drains and records
 * its last checkpoint but not its stream's end.
 */
export function ownedState(
  state: StateStore,
  owns: () => Promise<boolean>,
  handingOver: () => boolean = () => false,
): StateStore {
  return new Proxy(state, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== 'string' || !CHAIN_WRITES.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        // a worker that stops hands its chains over: the stream's end is the next owner's to record
        if (property === 'transition' && handingOver() && isTerminalStreamStatus(args[2] as StreamStatus)) return;
        if (!(await owns()))
          throw new ChainNotOwned(
            'this worker no longer owns the chain: another worker took it over; nothing recorded',
          );
        return method.apply(target, args);
      };
    },
  });
}

import type { ReleasePipelineLock, StateStore } from './state-store.js';

/** The run id a dry run reports: no run row exists for it. */
export const DRY_RUN_ID = 0;

/**
 * The state store of `run --dry-run`: reads (stored checkpoints, cursors, reset markers) and the
 * pipeline lock go to `inner`; every write is dropped, so a dry run records no run, transition,
 * count, cursor, connector state, dead letter or event. `close` does not close `inner` (its opener does).
 */
export function dryRunStateStore(inner: StateStore): StateStore {
  return {
    beginRun: () => Promise.resolve(DRY_RUN_ID),
    startRun: () => Promise.resolve(),
    transition: () => Promise.resolve(),
    recordStreamCounts: () => Promise.resolve(),
    finishRun: () => Promise.resolve(),
    closeInterruptedRuns: () => Promise.resolve([]),
    getRun: (runId) => inner.getRun(runId),
    listRuns: (options) => inner.listRuns(options),
    listTransitions: (runId, stream) => inner.listTransitions(runId, stream),
    listRunTransitions: (runId) => inner.listRunTransitions(runId),
    getCursor: (pipeline, stream) => inner.getCursor(pipeline, stream),
    putCursor: () => Promise.resolve(),
    deleteCursors: () => Promise.resolve(0),
    getKv: (scope, key) => inner.getKv(scope, key),
    putKv: () => Promise.resolve(),
    // a write that is dropped did not happen
    casKv: () => Promise.resolve(false),
    deleteKv: () => Promise.resolve(false),
    listKvKeys: (scope, keyPrefix) => inner.listKvKeys(scope, keyPrefix),
    addDeadLetters: () => Promise.resolve(),
    listDeadLetters: (options) => inner.listDeadLetters(options),
    appendEvent: (event) =>
      Promise.resolve({ ...event, id: DRY_RUN_ID, uid: '', at: event.at ?? new Date().toISOString() }),
    getEvent: (id) => inner.getEvent(id),
    listEvents: (filter) => inner.listEvents(filter),
    syncNotificationTargets: () => Promise.resolve(),
    listDeliveries: (filter) => inner.listDeliveries(filter),
    claimDeliveries: () => Promise.resolve([]),
    completeDelivery: () => Promise.resolve(false),
    redeliverEvent: () => Promise.resolve(0),
    recordTick: () => Promise.resolve(0),
    listTicks: (options) => inner.listTicks(options),
    recordCdcLag: () => Promise.resolve(),
    listCdcLag: (options) => inner.listCdcLag(options),
    pruneEvents: () => Promise.resolve(0),
    listAlertStates: (pipeline) => inner.listAlertStates(pipeline),
    moveAlertState: () => Promise.resolve(undefined),
    acquirePipelineLock: (pipeline, holder): Promise<ReleasePipelineLock> =>
      inner.acquirePipelineLock(pipeline, holder),
    close: () => Promise.resolve(),
  };
}

import { RUN_TRANSITIONS, isRunStatus, isTerminalRunStatus, type RunStatus } from './run-status.js';
import { StateError } from './state-error.js';
import type { RunOutcome } from './state-records.js';
import type { StreamStatus } from './stream-status.js';

// The rules of moving a run between statuses, shared by the SQLite and Postgres run histories.

/** Refuses `finishRun` with a status that is not terminal, or an error of an unknown kind. */
export function requireTerminal(runId: number, status: RunStatus, outcome: RunOutcome): void {
  if (!isRunStatus(status) || !isTerminalRunStatus(status)) {
    throw new StateError(
      'INVALID_ARGUMENT',
      `a run finishes as succeeded, failed, partial, cancelled or interrupted, not "${String(status)}"`,
      { details: { runId, status } },
    );
  }
  const kind = outcome.error?.kind;
  if (kind !== undefined && kind !== 'transient' && kind !== 'permanent') {
    throw new StateError('INVALID_ARGUMENT', `error kind must be transient or permanent, got "${String(kind)}"`, {
      details: { runId },
    });
  }
}

/** Refuses a run move that RUN_TRANSITIONS does not allow: RUN_ALREADY_FINISHED from a terminal status, else ILLEGAL_TRANSITION. */
export function refuseRunMove(runId: number, from: RunStatus, to: RunStatus): void {
  if (RUN_TRANSITIONS[from].includes(to)) return;
  if (isTerminalRunStatus(from)) {
    throw new StateError('RUN_ALREADY_FINISHED', `run ${runId} already finished as ${from}`, {
      details: { runId, status: from },
    });
  }
  const allowed = RUN_TRANSITIONS[from];
  throw new StateError(
    'ILLEGAL_TRANSITION',
    `run ${runId} cannot move from ${from} to ${to} (allowed: ${allowed.join(', ')})`,
    { details: { runId, from, to, allowed } },
  );
}

/** The reason a run transition records: the given one, else the error's code and message. */
export function runReason(outcome: RunOutcome): string | undefined {
  return outcome.reason ?? (outcome.error ? `${outcome.error.code}: ${outcome.error.message}` : undefined);
}

/**
 * The status a run's still-open streams are closed with when the run ends as `status`: a run that
 * failed, was cancelled or was interrupted leaves no stream pending or running. Undefined for
 * outcomes that only follow streams that all ended (succeeded, partial).
 */
export function streamStatusClosedWith(status: RunStatus): StreamStatus | undefined {
  return status === 'failed' || status === 'cancelled' || status === 'interrupted' ? status : undefined;
}

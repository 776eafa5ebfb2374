import type { Operation, Response, WitConnectorError } from '@rapidbyte/sdk/contract';
import type { ConnectorExports } from './connector-instance.js';
import type { RequestDispatcher } from './request-dispatcher.js';
import type { StepGuard } from './step-guard.js';

/** A session that ended with the guest's error. */
export class SessionFailed extends Error {
  constructor(readonly error: WitConnectorError) {
    super(error.message);
    this.name = 'SessionFailed';
  }
}

/**
 * Drives one connector session: calls `run-step`, fulfils the returned request asynchronously,
 * feeds the response into the next step, until the guest returns `done` or `failed`.
 * `beforeStep` applies backpressure (the output channel's `ready()`); `guard` stamps every entry
 * into guest code and checks the instance's limits after it.
 */
export async function runSession(
  exports: ConnectorExports,
  op: Operation,
  configJson: string,
  contextJson: string,
  dispatcher: Pick<RequestDispatcher, 'fulfil'>,
  beforeStep?: () => Promise<void>,
  guard?: StepGuard,
): Promise<unknown> {
  const inGuest = <T>(call: () => T): T => {
    guard?.started();
    try {
      return call();
    } finally {
      guard?.ended();
    }
  };
  const session = inGuest(() => exports.open(op, configJson, contextJson));
  let input: Response = { tag: 'none' };
  try {
    for (;;) {
      if (beforeStep) await beforeStep();
      const result = inGuest(() => exports.runStep(session, input));
      if (result.tag === 'done') return JSON.parse(result.val) as unknown;
      if (result.tag === 'failed') throw new SessionFailed(result.val);
      input = await dispatcher.fulfil(result.val);
    }
  } finally {
    try {
      // guarded too: a guest may spin in close (a memory overrun found here is moot: the session is over)
      inGuest(() => exports.close(session));
    } catch {
      /* instance may have trapped; nothing to release */
    }
  }
}

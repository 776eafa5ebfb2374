import type { SessionContext, StreamContext } from '../guest/session-context.js';
import type { Operation } from '../guest/wit-types.js';

/** A partial session context: what a test sets, over the harness defaults. */
export type ContextOverrides = Partial<Omit<SessionContext, 'stream' | 'resources'>> & {
  readonly stream?: Partial<StreamContext>;
  readonly resources?: Partial<SessionContext['resources']>;
};

/** Defaults the engine would send for one stream `public.test`, full refresh, append. */
export const DEFAULT_STREAM: StreamContext = {
  name: 'public.test',
  syncMode: 'full_refresh',
  writeMode: 'append',
  destinationTable: 'test',
};

/** The `context-json` a session gets: harness defaults overlaid with the test's values. */
export function sessionContext(op: Operation, overrides: ContextOverrides = {}): SessionContext {
  const needsStream = op === 'read' || op === 'write' || op === 'transform';
  const { stream, resources, ...rest } = overrides;
  return {
    pipeline: 'test',
    runId: 1,
    attempt: 1,
    resume: null,
    ...rest,
    resources: { batchRows: 10_000, maxBatchBytes: 8 * 1024 * 1024, checkpointIntervalRows: 500_000, ...resources },
    stream: needsStream || stream ? { ...DEFAULT_STREAM, ...stream } : undefined,
  };
}

/**
 * `@rapidbyte/sdk/testing`: runs a built connector component against an in-memory host, so a
 * connector's unit tests need no engine and no database.
 *
 * ```ts
 * const harness = await ConnectorHarness.load('.');
 * const run = await harness.read({ config: { path: '/data/users.jsonl' }, files: { '/data/users.jsonl': '{"id":1}\n' } });
 * expect(run.rows()).toEqual([{ id: 1n }]);
 * ```
 */
export { ConnectorHarness } from './connector-harness.js';
export type { RunOptions } from './connector-harness.js';
export { SessionRun } from './session-record.js';
export type { OutputItem, SessionRecord } from './session-record.js';
export { failure, fileHandler, inputHandler, stringify, UnansweredRequestError } from './request-handlers.js';
export type {
  HandlerHost,
  InputItem,
  RequestHandler,
  RequestHandlers,
  RequestOf,
  RequestTag,
} from './request-handlers.js';
export { FakePostgres } from './fake-postgres.js';
export type { FakeCopyIn, FakeQueryAnswer, FakePostgresOptions } from './fake-postgres.js';
export { HarnessFrames, describeSchema } from './harness-frames.js';
export { batchRows } from './batch-rows.js';
export type { PlainRow } from './batch-rows.js';
export { sessionContext, DEFAULT_STREAM } from './session-defaults.js';
export type { ContextOverrides } from './session-defaults.js';
export { batchFromRows } from './batch-from-rows.js';

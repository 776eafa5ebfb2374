import type { RecordBatch } from 'apache-arrow';
import type { LogLevel, Request, WitConnectorError } from '../guest/wit-types.js';
import { batchRows, type PlainRow } from './batch-rows.js';

/** What a source or transform sent downstream, in order: frames and checkpoint markers. */
export type OutputItem =
  | { readonly kind: 'frame'; readonly batch: RecordBatch }
  | { readonly kind: 'checkpoint'; readonly checkpointKind: string; readonly payload: unknown };

/** Everything one session did through the host, captured for assertions. */
export interface SessionRecord {
  /** `ok: true` with the operation's parsed JSON result, or the guest's error. */
  readonly outcome:
    { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: WitConnectorError };
  /** Frames emitted (`emit-batch`), in order. */
  readonly frames: readonly RecordBatch[];
  /** Frames and checkpoints interleaved as the downstream channel would carry them. */
  readonly output: readonly OutputItem[];
  /** Every `checkpoint(kind, payload)` call, payload parsed from JSON. */
  readonly checkpoints: readonly { readonly kind: string; readonly payload: unknown }[];
  /** `emit-dlq` calls, record parsed from JSON. */
  readonly deadLetters: readonly { readonly record: unknown; readonly error: string; readonly category: string }[];
  readonly logs: readonly { readonly level: LogLevel; readonly message: string }[];
  readonly metrics: readonly { readonly name: string; readonly value: number }[];
  /** Connector state after the session (the map given in, as changed by `state-put`/`state-cas`). */
  readonly state: ReadonlyMap<string, string>;
  /** Every request the guest returned from `run-step`, in order. */
  readonly requests: readonly Request[];
  /** Frames the guest neither emitted nor released. */
  readonly leakedFrames: number;
}

/** A finished session plus helpers. */
export class SessionRun implements SessionRecord {
  readonly outcome: SessionRecord['outcome'];
  readonly frames: readonly RecordBatch[];
  readonly output: readonly OutputItem[];
  readonly checkpoints: SessionRecord['checkpoints'];
  readonly deadLetters: SessionRecord['deadLetters'];
  readonly logs: SessionRecord['logs'];
  readonly metrics: SessionRecord['metrics'];
  readonly state: ReadonlyMap<string, string>;
  readonly requests: readonly Request[];
  readonly leakedFrames: number;

  constructor(record: SessionRecord) {
    this.outcome = record.outcome;
    this.frames = record.frames;
    this.output = record.output;
    this.checkpoints = record.checkpoints;
    this.deadLetters = record.deadLetters;
    this.logs = record.logs;
    this.metrics = record.metrics;
    this.state = record.state;
    this.requests = record.requests;
    this.leakedFrames = record.leakedFrames;
  }

  /** The operation's result; throws the guest's error (code and message) if it failed. */
  get result(): unknown {
    if (this.outcome.ok) return this.outcome.result;
    const e = this.outcome.error;
    throw Object.assign(new Error(`connector failed: ${e.code}: ${e.message}`), { wit: e });
  }

  /** The guest's error; throws if the session succeeded. */
  get error(): WitConnectorError {
    if (!this.outcome.ok) return this.outcome.error;
    throw new Error(`connector succeeded with ${JSON.stringify(this.outcome.result)}, expected a failure`);
  }

  /** Every emitted row as a plain object (int64 stays bigint, timestamps are epoch ms numbers). */
  rows(): PlainRow[] {
    return this.frames.flatMap((b) => batchRows(b));
  }

  /** Request tags in order (e.g. to assert the guest's I/O sequence). */
  requestTags(): string[] {
    return this.requests.map((r) => r.tag);
  }
}

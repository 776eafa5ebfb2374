import {
  checkpoint,
  frames,
  metric,
  nextFrame,
  type DataErrorPolicy,
  type OperationInput,
  type Step,
  type TransferSummary,
} from '@rapidbyte/sdk';
import { detailsNeeded, handleRejected } from './data-error-policy.js';
import type { ValidateConfig } from './validate-config.js';

/** The transform's result: rows in, rows passed on, rows rejected (skipped or dead-lettered). */
export interface ValidateSummary extends TransferSummary {
  readonly passed: number;
  readonly rejected: number;
  readonly policy: DataErrorPolicy;
}

/**
 * Checks every frame with the host's `frame-filter` (whole columns in V8, never per row in the
 * guest), passes the good rows downstream and applies `on_data_error` to the rest. Checkpoint
 * markers are forwarded in order with the frames.
 */
export function* validateStream({ config, context }: OperationInput<ValidateConfig>): Step<ValidateSummary> {
  const policy: DataErrorPolicy = context.onDataError ?? 'fail';
  const stream = context.stream?.name ?? '?';
  const maxDetails = detailsNeeded(policy);
  let rows = 0;
  let frameCount = 0;
  let passed = 0;
  let rejected = 0;
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'end') break;
    if (item.kind === 'checkpoint') {
      checkpoint('resume', JSON.parse(item.payload) as unknown);
      continue;
    }
    rows += frames.rows(item.frame);
    frameCount += 1;
    if (config.rules.length === 0) {
      passed += frames.rows(item.frame);
      frames.emit(item.frame);
      continue;
    }
    const result = frames.filter(item.frame, config.rules, maxDetails);
    // what a scrape of `serve`'s /metrics shows per stream (the host sums them between reports)
    metric('rows_checked_total', frames.rows(item.frame));
    metric('rows_rejected_total', result.failedCount);
    frames.release(item.frame);
    try {
      rejected += handleRejected(policy, stream, result.failedCount, result.failures);
    } catch (error) {
      frames.release(result.passed);
      throw error;
    }
    passed += frames.rows(result.passed);
    frames.emit(result.passed);
  }
  return { rows, frames: frameCount, passed, rejected, policy };
}

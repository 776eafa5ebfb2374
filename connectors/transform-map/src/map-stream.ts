import { checkpoint, frames, nextFrame, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import type { MapConfig } from './map-config.js';
import { applyPlan, mapPlan } from './map-plan.js';

/**
 * Passes every frame downstream reshaped by the host's frame operations and forwards checkpoint
 * markers in order with the frames.
 */
export function* mapStream({ config }: OperationInput<MapConfig>): Step<TransferSummary> {
  const steps = mapPlan(config);
  let rows = 0;
  let frameCount = 0;
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'end') break;
    if (item.kind === 'checkpoint') {
      checkpoint('resume', JSON.parse(item.payload) as unknown);
      continue;
    }
    rows += frames.rows(item.frame);
    frameCount += 1;
    frames.emit(applyPlan(steps, item.frame));
  }
  return { rows, frames: frameCount };
}

import type { FrameChannel } from '../runtime/frame-channel.js';

/** What the dry-run sink saw at the end of a stream's chain. */
export interface DrySinkCounts {
  rows: number;
  frames: number;
  checkpoints: number;
}

/**
 * The built-in sink of `run --dry-run`: stands in for the destination component, takes every
 * item off the chain's last channel, counts frames and rows and drops them (nothing is written,
 * no checkpoint is committed or reported). Resolves at the channel's `end`; rejects when the
 * chain failed (the channel was failed).
 */
export async function drainToDrySink(channel: FrameChannel, counts: DrySinkCounts): Promise<DrySinkCounts> {
  for (;;) {
    const item = await channel.next();
    if (item.kind === 'end') return counts;
    if (item.kind === 'checkpoint') counts.checkpoints += 1;
    else {
      counts.frames += 1;
      counts.rows += item.batch.numRows;
    }
  }
}

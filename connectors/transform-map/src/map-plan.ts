import { frames, type FrameHandle } from '@rapidbyte/sdk';
import type { MapConfig } from './map-config.js';

/** One host operation of the plan: takes a frame, returns a new one. */
export type MapStep = (frame: FrameHandle) => FrameHandle;

/**
 * The host operations a config asks for, in order (cast, hash, mask, drop, rename). Each runs
 * over whole columns in the host; the guest only passes handles along.
 */
export function mapPlan(config: MapConfig): MapStep[] {
  const steps: MapStep[] = [];
  const casts = Object.entries(config.cast ?? {});
  if (casts.length > 0) steps.push((f) => frames.cast(f, casts));
  for (const column of config.hash ?? []) steps.push((f) => frames.hash(f, column, config.salt ?? ''));
  for (const [column, replacement] of Object.entries(config.mask ?? {}))
    steps.push((f) => frames.mask(f, column, replacement));
  const drop = new Set(config.drop ?? []);
  if (drop.size > 0) {
    steps.push((f) => {
      const names = frames.schema(f).fields.map((field) => field.name);
      const missing = [...drop].filter((c) => !names.includes(c));
      // project reports unknown columns; dropping a column that is not there is an error too
      return frames.project(f, missing.length > 0 ? [...names, ...missing] : names.filter((n) => !drop.has(n)));
    });
  }
  const renames = Object.entries(config.rename ?? {});
  if (renames.length > 0) steps.push((f) => frames.rename(f, renames));
  return steps;
}

/** Runs the plan over one frame, releasing every intermediate frame (also when a step fails). */
export function applyPlan(steps: readonly MapStep[], frame: FrameHandle): FrameHandle {
  let current = frame;
  for (const step of steps) {
    try {
      const next = step(current);
      frames.release(current);
      current = next;
    } catch (error) {
      frames.release(current);
      throw error;
    }
  }
  return current;
}

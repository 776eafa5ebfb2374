import { frames, log, nextFrame, pg, type FrameField, type FrameHandle, type Step } from '@rapidbyte/sdk';
import { PRIMARY_KEY_METADATA } from '@rapidbyte/sdk/frames';
import { compositeColumnsOf, type CompositeTypeSpec } from './composite-metadata.js';
import { domainColumnsOf } from './domain-metadata.js';
import { generatedColumnsOf, type GeneratedColumnSpec } from './generated-columns.js';

/** The start of the upstream: the first frame (if any) and checkpoint markers seen before it. */
export interface FrameInput {
  readonly first: FrameHandle | undefined;
  /** The first frame's fields (undefined when the stream ended without a frame). */
  readonly fields: readonly FrameField[] | undefined;
  /** Checkpoint markers (JSON) received so far, reported once the data before them is committed. */
  readonly checkpoints: string[];
  /** The source table's primary key (schema metadata `rapidbyte.primary_key`), if it sent one. */
  readonly sourceKey: readonly string[] | undefined;
  /** Generated columns of the source the frames leave out: a table created for them computes them (`rapidbyte.generated_columns`). */
  readonly generated?: readonly GeneratedColumnSpec[];
  /** Column -> the domain its type is at the source (`rapidbyte.domain_columns`): a table created for them uses it where it exists. */
  readonly domains?: ReadonlyMap<string, string>;
  /** Column -> the composite type its type is at the source (`rapidbyte.composite_columns`): a table created for them creates it where it is missing. */
  readonly composites?: ReadonlyMap<string, CompositeTypeSpec>;
}

/** The source's key from a frame schema's `rapidbyte.primary_key` metadata (a JSON list). */
function sourceKeyOf(metadata: Readonly<Record<string, string>> | undefined): string[] | undefined {
  const raw = metadata?.[PRIMARY_KEY_METADATA];
  if (!raw) return undefined;
  try {
    const key = JSON.parse(raw) as unknown;
    return Array.isArray(key) && key.length > 0 && key.every((k) => typeof k === 'string')
      ? (key as string[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** The key a created table gets and upsert merges on: the stream's `primary_key`, else the source's. */
export function effectiveKey(
  configured: readonly string[] | undefined,
  input: FrameInput,
): readonly string[] | undefined {
  return configured && configured.length > 0 ? configured : input.sourceKey;
}

/**
 * Waits for the first frame (possibly with zero rows) or the end of the stream. Markers before it
 * are kept for the write mode to commit, or — with `onMarker` (CDC: an idle stream must still
 * advance its watermark, and the first frame may be hours away) — handled as they come.
 */
export function* readFirstFrame(onMarker?: (payload: string) => Step<void>): Step<FrameInput> {
  const checkpoints: string[] = [];
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'checkpoint') {
      if (onMarker) yield* onMarker(item.payload);
      else checkpoints.push(item.payload);
    } else if (item.kind === 'frame') {
      const schema = frames.schema(item.frame);
      const generated = generatedColumnsOf(schema.metadata);
      for (const name of generated.rejected)
        log.warn(
          `generated column ${JSON.stringify(name)}: its description cannot be used in DDL; a table created now lacks it`,
        );
      return {
        first: item.frame,
        fields: schema.fields,
        checkpoints,
        sourceKey: sourceKeyOf(schema.metadata),
        generated: generated.specs,
        domains: domainColumnsOf(schema.metadata),
        composites: compositeColumnsOf(schema.metadata),
      };
    } else return { first: undefined, fields: undefined, checkpoints, sourceKey: undefined };
  }
}

/**
 * Called before each frame is written with the COPY in use and the rows written so far; returns
 * the COPY to write the frame into (a new one after a schema change, say).
 */
export type BeforeFrame = (frame: FrameHandle, copy: number, rowsBefore: number) => Step<number>;

/**
 * Writes the first frame and every following one into an open COPY FROM (the host encodes the
 * rows), releasing each frame once written, until the end of the stream. Returns the frame count
 * and the COPY last written to (`beforeFrame` may switch it).
 */
export function* copyAllFrames(
  copy: number,
  input: FrameInput,
  beforeFrame?: BeforeFrame,
): Step<{ frames: number; copy: number }> {
  let count = 0;
  let rows = 0;
  let frame = input.first;
  while (frame !== undefined) {
    if (beforeFrame) copy = yield* beforeFrame(frame, copy, rows);
    const n = frames.rows(frame);
    if (n > 0) yield* pg.copyInWrite(copy, frame);
    rows += n;
    frames.release(frame);
    count += 1;
    frame = undefined;
    for (;;) {
      const item = yield* nextFrame();
      if (item.kind === 'frame') {
        frame = item.frame;
        break;
      }
      if (item.kind === 'end') break;
      input.checkpoints.push(item.payload);
    }
  }
  return { frames: count, copy };
}

import type { RecordBatch } from 'apache-arrow';
import type { ErrorKind, Request, Response } from '../guest/wit-types.js';
import type { HarnessFrames } from './harness-frames.js';

export type RequestTag = Request['tag'];
export type RequestOf<T extends RequestTag> = Extract<Request, { tag: T }>;

/** What a request handler may use: the frame table (to hand frames to the guest or read its frames). */
export interface HandlerHost {
  readonly frames: HarnessFrames;
}

/**
 * Answers one kind of request (by its WIT tag, e.g. `pg-query`). Handlers are looked up by tag
 * only, so request kinds added to the WIT need no harness change: a test answers them by tag.
 */
export type RequestHandler<T extends RequestTag = RequestTag> = (
  request: RequestOf<T>,
  host: HandlerHost,
) => Response | Promise<Response>;

/** Handlers by request tag. */
export type RequestHandlers = { readonly [T in RequestTag]?: RequestHandler<T> };

/** An item a destination or transform reads with `next-frame`: a frame, or a checkpoint marker. */
export type InputItem = RecordBatch | { readonly checkpoint: unknown };

/** The connector returned a request the test does not answer: the test fails with this. */
export class UnansweredRequestError extends Error {
  constructor(readonly request: Request) {
    super(
      `the connector returned a '${request.tag}' request this test does not answer; ` +
        `pass handlers['${request.tag}'] to the harness (request: ${stringify(request)})`,
    );
    this.name = 'UnansweredRequestError';
  }
}

/** A `failed` response, as the engine sends for a refused or failed request. */
export function failure(code: string, message: string, kind: ErrorKind = 'permanent', sqlstate?: string): Response {
  return { tag: 'failed', val: { kind, code, message, sqlstate } };
}

/** JSON with bigints and byte arrays made readable (for error messages). */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v,
  );
}

/**
 * `fs-read` answered from an in-memory file map, like the engine's file capability: a path
 * that is not in the map is refused with `FS_DENIED` (as a path outside `allowed_paths` is).
 */
export function fileHandler(files: Readonly<Record<string, string | Uint8Array>>): RequestHandler<'fs-read'> {
  const bytes = new Map(
    Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? new TextEncoder().encode(c) : c]),
  );
  return ({ val }) => {
    const content = bytes.get(val.path);
    if (!content)
      return failure(
        'FS_DENIED',
        `read of ${val.path} refused: not inside permissions.fs.allowed_paths (harness files: ${[...bytes.keys()].join(', ') || 'none'})`,
      );
    const start = Number(val.offset);
    return { tag: 'bytes', val: content.slice(start, start + val.length) };
  };
}

/** `next-frame` answered from a list of frames and checkpoint markers, then `end-of-data`. */
export function inputHandler(items: readonly InputItem[]): RequestHandler<'next-frame'> {
  let next = 0;
  return (_request, host) => {
    const item = items[next++];
    if (item === undefined) return { tag: 'end-of-data', val: 0n };
    if ('checkpoint' in item) {
      const payload = typeof item.checkpoint === 'string' ? item.checkpoint : JSON.stringify(item.checkpoint);
      return { tag: 'checkpoint', val: payload };
    }
    return { tag: 'frame', val: host.frames.add(item) };
  };
}

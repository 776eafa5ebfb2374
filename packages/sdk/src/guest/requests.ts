import { ConnectorError } from './connector-error.js';
import type {
  FrameHandle,
  HttpRequest,
  HttpResponse,
  PgColumn,
  PgConnectOptions,
  PgQueryResult,
  PgReplicationOpen,
  PgSnapshot,
  Request,
  Response,
  ResponseOf,
  ResponseTag,
} from './wit-types.js';

/**
 * A request step: `const x = yield* pg.query(conn, sql)`. The generator yields one WIT request
 * and receives the host's response; a `failed` response is thrown as a ConnectorError.
 */
export type Step<T> = Generator<Request, T, Response>;

function* call<T extends ResponseTag>(request: Request, ...expected: T[]): Step<ResponseOf<T>> {
  const response = yield request;
  if (response.tag === 'failed') throw ConnectorError.fromWit(response.val);
  if (!(expected as string[]).includes(response.tag)) {
    throw ConnectorError.permanent(
      'PROTOCOL',
      `host answered ${request.tag} with ${response.tag}, expected ${expected.join(' | ')}`,
    );
  }
  return response as ResponseOf<T>;
}

/** The outcome of reading the next item of a stream of frames. */
export type FrameItem =
  | { readonly kind: 'frame'; readonly frame: FrameHandle }
  | { readonly kind: 'checkpoint'; readonly payload: string }
  | { readonly kind: 'end'; readonly rows: bigint };

function toFrameItem(r: ResponseOf<'frame' | 'checkpoint' | 'end-of-data'>): FrameItem {
  if (r.tag === 'frame') return { kind: 'frame', frame: r.val };
  if (r.tag === 'checkpoint') return { kind: 'checkpoint', payload: r.val };
  return { kind: 'end', rows: r.val };
}

/** The Postgres capability. The host checks every connect against `allowed_hosts`. */
export const pg = {
  *connect(options: PgConnectOptions): Step<number> {
    return (yield* call({ tag: 'pg-connect', val: options }, 'pg-conn')).val;
  },
  *query(conn: number, sql: string, params: (string | undefined)[] = []): Step<PgQueryResult> {
    return (yield* call({ tag: 'pg-query', val: { conn, sql, params } }, 'query-result')).val;
  },
  /** Starts `COPY (...) TO STDOUT (FORMAT binary)`; the host decodes it into Arrow frames. */
  *copyOut(
    conn: number,
    sql: string,
    columns: PgColumn[],
    batchRows: number,
    schemaMetadata: [string, string][] = [],
  ): Step<number> {
    return (yield* call({ tag: 'pg-copy-out', val: { conn, sql, columns, batchRows, schemaMetadata } }, 'copy-stream'))
      .val;
  },
  *copyOutNext(copy: number): Step<FrameItem> {
    return toFrameItem(yield* call({ tag: 'pg-copy-out-next', val: copy }, 'frame', 'end-of-data'));
  },
  /** Starts `COPY t (cols) FROM STDIN (FORMAT binary)`; frames are encoded by the host. */
  *copyIn(conn: number, sql: string, columns: PgColumn[]): Step<number> {
    return (yield* call({ tag: 'pg-copy-in', val: { conn, sql, columns } }, 'copy-stream')).val;
  },
  *copyInWrite(copy: number, frame: FrameHandle): Step<bigint> {
    return (yield* call({ tag: 'pg-copy-in-write', val: { copy, frame } }, 'row-count')).val;
  },
  *copyInEnd(copy: number): Step<bigint> {
    return (yield* call({ tag: 'pg-copy-in-end', val: copy }, 'row-count')).val;
  },
  *close(conn: number): Step<void> {
    yield* call({ tag: 'pg-close', val: conn }, 'none');
  },
  /**
   * Attaches this stream to the source's logical replication (one slot and connection per source,
   * shared by its CDC streams; the host decodes pgoutput into Arrow change frames).
   */
  *replicationOpen(options: PgReplicationOpen): Step<number> {
    return (yield* call({ tag: 'pg-replication-open', val: options }, 'replication')).val;
  },
  /** An exported snapshot consistent with a point of the replication stream (import it, then call `replicationSnapshotDone`). */
  *replicationSnapshot(stream: number): Step<PgSnapshot> {
    return (yield* call({ tag: 'pg-replication-snapshot', val: stream }, 'snapshot')).val;
  },
  *replicationSnapshotDone(stream: number): Step<void> {
    yield* call({ tag: 'pg-replication-snapshot-done', val: stream }, 'none');
  },
  /** The next change frame, checkpoint (`{"lsn":"X/Y"}`, after whole transactions) or the end. */
  *replicationNext(stream: number): Step<FrameItem> {
    return toFrameItem(yield* call({ tag: 'pg-replication-next', val: stream }, 'frame', 'checkpoint', 'end-of-data'));
  },
};

/** Destination and transform input: the next frame, checkpoint marker, or end of the stream. */
export function* nextFrame(): Step<FrameItem> {
  return toFrameItem(yield* call({ tag: 'next-frame' }, 'frame', 'checkpoint', 'end-of-data'));
}

/** Generic network and file capabilities (the portable slow path). */
export const net = {
  *http(request: HttpRequest): Step<HttpResponse> {
    return (yield* call({ tag: 'http', val: request }, 'http')).val;
  },
  *tcpConnect(host: string, port: number): Step<number> {
    return (yield* call({ tag: 'tcp-connect', val: [host, port] }, 'socket')).val;
  },
  *tcpRead(socket: number, maxBytes: number): Step<Uint8Array> {
    return (yield* call({ tag: 'tcp-read', val: [socket, maxBytes] }, 'bytes')).val;
  },
  *tcpWrite(socket: number, bytes: Uint8Array): Step<void> {
    yield* call({ tag: 'tcp-write', val: [socket, bytes] }, 'none');
  },
  *tcpClose(socket: number): Step<void> {
    yield* call({ tag: 'tcp-close', val: socket }, 'none');
  },
};

export const fs = {
  /** Reads up to `length` bytes at `offset` of a file granted by `permissions.fs.allowed_paths`; empty at end. */
  *read(path: string, offset: bigint, length: number): Step<Uint8Array> {
    return (yield* call({ tag: 'fs-read', val: { path, offset, length } }, 'bytes')).val;
  },
};

export function* sleep(ms: number): Step<void> {
  yield* call({ tag: 'sleep-ms', val: ms }, 'none');
}

/**
 * Waits until every dead letter sent so far (`deadLetter`) is stored in the state DB. A
 * destination calls it before the COMMIT that covers rows it dead-lettered, so a crash between the
 * two never loses a dead letter (the state DB skips one it already has when the interval replays).
 */
export function* flushDeadLetters(): Step<void> {
  yield* call({ tag: 'dead-letters-flush' }, 'none');
}

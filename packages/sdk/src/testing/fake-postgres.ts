import type { RecordBatch } from 'apache-arrow';
import type { PgColumn, PgConnectOptions, Response } from '../guest/wit-types.js';
import { failure, type RequestHandlers } from './request-handlers.js';

/** An answer to a `pg-query`: rows in Postgres text format. */
export interface FakeQueryAnswer {
  readonly columns?: readonly string[];
  readonly rows?: readonly (readonly (string | null | undefined)[])[];
  readonly command?: string;
  readonly rowCount?: number;
}

export interface FakePostgresOptions {
  /**
   * Answers a query: an answer, a `failure(...)` response, or undefined for an empty result
   * (handy for BEGIN/SET/COMMIT). Every query is recorded in `queries` either way.
   */
  query?(sql: string, params: readonly (string | undefined)[]): FakeQueryAnswer | Response | undefined;
  /** The frames a `COPY ... TO STDOUT` produces (undefined: none); end-of-data reports their rows. */
  copyOut?(sql: string, columns: readonly PgColumn[]): readonly RecordBatch[] | undefined;
  /**
   * Checks a frame written into a `COPY ... FROM STDIN`: a `failure(...)` response fails the write
   * (the frame is not recorded, the COPY is marked `failed`), as the server does with a row it
   * rejects; undefined accepts it.
   */
  copyIn?(sql: string, frame: RecordBatch): Response | undefined;
}

/** A `COPY ... FROM STDIN` the guest ran, with the frames it wrote. */
export interface FakeCopyIn {
  readonly sql: string;
  readonly columns: readonly PgColumn[];
  readonly frames: RecordBatch[];
  ended: boolean;
  /** A write was refused by `copyIn`: the COPY (and its transaction) failed. */
  failed?: boolean;
}

/**
 * The Postgres capability answered in memory, for harness tests of Postgres connectors: a test
 * answers queries and copy-outs with functions and inspects what the guest sent.
 */
export class FakePostgres {
  readonly connects: PgConnectOptions[] = [];
  readonly queries: { readonly sql: string; readonly params: readonly (string | undefined)[] }[] = [];
  readonly copyOuts: { readonly sql: string; readonly columns: readonly PgColumn[] }[] = [];
  readonly copyIns: FakeCopyIn[] = [];
  /** Connections opened and not closed. */
  readonly open = new Set<number>();
  readonly #options: FakePostgresOptions;
  readonly #pending = new Map<number, { frames: RecordBatch[]; rows: number }>();
  readonly #copyIn = new Map<number, FakeCopyIn>();
  #next = 1;

  constructor(options: FakePostgresOptions = {}) {
    this.#options = options;
  }

  /** Handlers for every `pg-*` request except replication (answer those by tag yourself). */
  get handlers(): RequestHandlers {
    const h = {
      'pg-connect': ({ val }) => {
        this.connects.push(val);
        const conn = this.#next++;
        this.open.add(conn);
        return { tag: 'pg-conn', val: conn };
      },
      'pg-query': ({ val }) => {
        this.queries.push({ sql: val.sql, params: val.params });
        const answer = this.#options.query?.(val.sql, val.params);
        if (answer && 'tag' in answer) return answer;
        const rows = (answer?.rows ?? []).map((r) => r.map((v) => v ?? undefined));
        return {
          tag: 'query-result',
          val: {
            command: answer?.command ?? val.sql.trim().split(/\s+/)[0]?.toUpperCase() ?? '',
            rowCount: BigInt(answer?.rowCount ?? rows.length),
            columns: [...(answer?.columns ?? [])],
            rows,
          },
        };
      },
      'pg-copy-out': ({ val }) => {
        this.copyOuts.push({ sql: val.sql, columns: val.columns });
        const id = this.#next++;
        this.#pending.set(id, { frames: [...(this.#options.copyOut?.(val.sql, val.columns) ?? [])], rows: 0 });
        return { tag: 'copy-stream', val: id };
      },
      'pg-copy-out-next': ({ val }, host) => {
        const queue = this.#pending.get(val);
        if (!queue) return failure('BAD_HANDLE', `unknown copy stream ${val}`);
        const batch = queue.frames.shift();
        if (batch) {
          queue.rows += batch.numRows;
          return { tag: 'frame', val: host.frames.add(batch) };
        }
        this.#pending.delete(val);
        return { tag: 'end-of-data', val: BigInt(queue.rows) };
      },
      'pg-copy-in': ({ val }) => {
        const id = this.#next++;
        const copy: FakeCopyIn = { sql: val.sql, columns: val.columns, frames: [], ended: false };
        this.copyIns.push(copy);
        this.#copyIn.set(id, copy);
        return { tag: 'copy-stream', val: id };
      },
      'pg-copy-in-write': ({ val }, host) => {
        const copy = this.#copyIn.get(val.copy);
        if (!copy) return failure('BAD_HANDLE', `unknown copy stream ${val.copy}`);
        const batch = host.frames.take(val.frame);
        const refused = copy.failed
          ? failure('COPY_FAILED', 'the COPY already failed')
          : this.#options.copyIn?.(copy.sql, batch);
        if (refused) {
          copy.failed = true;
          return refused;
        }
        copy.frames.push(batch);
        return { tag: 'row-count', val: BigInt(batch.numRows) };
      },
      'pg-copy-in-end': ({ val }) => {
        const copy = this.#copyIn.get(val);
        if (!copy) return failure('BAD_HANDLE', `unknown copy stream ${val}`);
        this.#copyIn.delete(val);
        if (copy.failed) return failure('COPY_FAILED', 'the COPY failed');
        copy.ended = true;
        return { tag: 'row-count', val: BigInt(copy.frames.reduce((n, b) => n + b.numRows, 0)) };
      },
      'pg-close': ({ val }) => {
        this.open.delete(val);
        return { tag: 'none' };
      },
    } satisfies RequestHandlers;
    return h as RequestHandlers;
  }
}

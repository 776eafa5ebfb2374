import type pg from 'pg';
import type { PgConnectOptions } from '@rapidbyte/sdk/contract';
import { quoteIdent } from '@rapidbyte/sdk/postgres';
import { connectPgClient } from '../runtime/connect-pg-client.js';

/** Settings pinned on the replication connection (see docs/architecture.md#change-data-capture), so any text value decodes exactly. */
export const REPLICATION_SESSION_OPTIONS =
  '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3';

/** A slot created by CREATE_REPLICATION_SLOT … EXPORT_SNAPSHOT. */
export interface CreatedSlot {
  readonly consistentPoint: string;
  readonly snapshotName: string;
}

/** Quotes a literal for a replication command (no bind parameters in the walsender protocol). */
function replicationLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The first server version (`server_version_num`) whose pgoutput streams large in-progress transactions (protocol version 2). */
export const STREAMING_SERVER_VERSION = 140000;

/**
 * A walsender connection (`replication=database`): slot creation with an exported snapshot,
 * IDENTIFY_SYSTEM, and START_REPLICATION with pgoutput (binary values; protocol 2 with
 * `streaming 'on'` where asked and the server has it, else protocol 1). While streaming, every
 * CopyData message goes to `onData`; standby status updates go back with `send`.
 */
export class ReplicationConnection {
  #streaming = false;

  private constructor(
    readonly client: pg.Client,
    /** The server's `server_version_num` (e.g. 150004). */
    readonly serverVersion: number,
  ) {}

  static async open(options: PgConnectOptions): Promise<ReplicationConnection> {
    const client = await connectPgClient(
      { ...options, applicationName: options.applicationName || 'rapidbyte/replication' },
      { replication: 'database', options: REPLICATION_SESSION_OPTIONS },
    );
    try {
      const r = await client.query('SHOW server_version_num');
      return new ReplicationConnection(
        client,
        Number((r.rows[0] as { server_version_num: string }).server_version_num),
      );
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** The server can stream large in-progress transactions (PostgreSQL 14 and later). */
  get canStreamTransactions(): boolean {
    return this.serverVersion >= STREAMING_SERVER_VERSION;
  }

  /** The walsender's backend pid (what it waits on shows in pg_stat_activity and pg_locks under it). */
  get pid(): number {
    return (this.client as unknown as { processID: number }).processID;
  }

  /** The server's current WAL flush position (IDENTIFY_SYSTEM xlogpos). */
  async identify(): Promise<string> {
    const r = await this.client.query('IDENTIFY_SYSTEM');
    return String((r.rows[0] as { xlogpos: string }).xlogpos);
  }

  /** Creates a logical slot for pgoutput exporting a snapshot (valid until this connection's next command). */
  async createSlot(name: string, temporary: boolean): Promise<CreatedSlot> {
    const r = await this.client.query(
      `CREATE_REPLICATION_SLOT ${quoteIdent(name)}${temporary ? ' TEMPORARY' : ''} LOGICAL pgoutput EXPORT_SNAPSHOT`,
    );
    const row = r.rows[0] as { consistent_point: string; snapshot_name: string };
    return { consistentPoint: row.consistent_point, snapshotName: row.snapshot_name };
  }

  /**
   * START_REPLICATION from `startLsn` ('0/0': the slot's confirmed position). Resolves once the
   * command is sent; `onError` gets a failure of the stream (not its orderly end by `close`).
   * `streamTransactions`: protocol version 2 with `streaming 'on'` (the caller checked
   * {@link canStreamTransactions}): the server sends a transaction past its
   * `logical_decoding_work_mem` in chunks while it runs, instead of decoding it whole first.
   */
  start(
    slot: string,
    publication: string,
    startLsn: string,
    onData: (chunk: Buffer) => void,
    onError: (error: Error) => void,
    streamTransactions = false,
  ): void {
    const connection = (this.client as unknown as { connection: NodeJS.EventEmitter }).connection;
    connection.on('copyData', (msg: { chunk: Buffer }) => onData(msg.chunk));
    this.client.on('error', onError);
    this.#streaming = true;
    const publications = `publication_names ${replicationLiteral(quoteIdent(publication))}, binary 'true'`;
    const options = streamTransactions
      ? `proto_version '2', ${publications}, streaming 'on'`
      : `proto_version '1', ${publications}`;
    this.client.query(`START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${startLsn} (${options})`).then(
      () => {
        this.#streaming = false;
      },
      (error: Error) => {
        if (this.#streaming) onError(error);
        this.#streaming = false;
      },
    );
  }

  /** Sends one CopyData message (a standby status update). */
  send(bytes: Buffer): void {
    (this.client as unknown as { connection: { sendCopyFromChunk(b: Buffer): void } }).connection.sendCopyFromChunk(
      bytes,
    );
  }

  /** Stops reading from the socket (backpressure) / resumes. */
  pause(): void {
    (this.client as unknown as { connection: { stream: NodeJS.ReadableStream } }).connection.stream.pause();
  }

  resume(): void {
    (this.client as unknown as { connection: { stream: NodeJS.ReadableStream } }).connection.stream.resume();
  }

  /** Ends the connection (the server keeps the slot; a temporary slot is dropped). */
  async close(): Promise<void> {
    this.#streaming = false;
    this.client.removeAllListeners('error');
    this.client.on('error', () => undefined);
    await this.client.end().catch(() => undefined);
  }
}

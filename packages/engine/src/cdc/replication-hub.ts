import { randomBytes } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import type pg from 'pg';
import type { PgConnectOptions } from '@rapidbyte/sdk/contract';
import { connectPgClient } from '../runtime/connect-pg-client.js';
import {
  formatLsn,
  parseLsn,
  parsePgOutput,
  parseReplicationFrame,
  PGOUTPUT_TAGS,
  ReplicationError,
  standbyStatusUpdate,
  STREAMED_XID_TAGS,
} from '../replication/index.js';
import {
  ITEM_KINDS,
  ItemPacker,
  transferablesOf,
  type HubAttach,
  type HubToWorker,
  type ItemKind,
} from './hub-protocol.js';
import { ReplicationConnection, type CreatedSlot } from './replication-connection.js';
import { createSlotWatched, DEFAULT_SLOT_CREATE_TIMEOUT_MS } from './slot-creation-watch.js';
import { cdcError, replicationFailure } from './cdc-error.js';
import { DEFAULT_SPOOL_MEMORY_BYTES, SpoolSet, type TransactionSpool } from './transaction-spool.js';

/** Items a stream may have unconsumed before the hub stops reading (and the slot waits). */
const HIGH_WATER_ITEMS = 200_000;
const LOW_WATER_ITEMS = 50_000;
/** How often the hub reports progress to the server and sends idle streams their LSN. */
const STATUS_INTERVAL_MS = 1000;
/** While a one-shot run drains, how often it asks the server where the WAL is. */
const DRAIN_POLL_MS = 100;
/** A streamed transaction's replay lets the event loop run (credits, status updates) after this many messages. */
const REPLAY_SLICE = 4096;

/** What the hub was told about the source (identical for every stream of one source). */
export interface HubSource {
  readonly connect: PgConnectOptions;
  readonly slot: string;
  readonly publication: string;
  /** How long slot creation may wait for open transactions (ms); undefined: the default. */
  readonly slotCreateTimeoutMs?: number;
  /**
   * false: pgoutput protocol version 1 only — a large transaction reaches the hub once the
   * server decoded it whole. Otherwise (PostgreSQL 14+) the server streams it in chunks while it
   * runs, and the hub spools them until its commit.
   */
  readonly streamTransactions?: boolean;
  /** Memory for the spools of streamed transactions (bytes, all together); past it they go to temporary files. */
  readonly spoolMemoryBytes?: number;
}

export interface HubOptions {
  /** Stream until stopped (`--follow`); otherwise drain to the WAL position at start, then end. */
  readonly follow: boolean;
  /** CDC streams of this run: streaming starts once each attached (or gave up). */
  readonly expected: ReadonlySet<string>;
  /** Committed LSNs (state DB) of CDC streams: the slot is never acknowledged past one. */
  readonly floors: ReadonlyMap<string, bigint>;
  /** Test-only: a pause before each restart (see `hubRestartDelayMs`). */
  readonly restartDelayMs?: number;
  /** Test-only: the first `attaches` attachments of `stream` get nothing delivered (see `hubMuteFault`). */
  readonly mute?: { readonly stream: string; readonly attaches: number };
  readonly log: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /**
   * A stream committed: `lagBytes` of WAL the server had written past its committed LSN (as the
   * server last reported its end of WAL). Not called before the server reported one.
   */
  readonly onLag?: (stream: string, lagBytes: number) => void;
}

interface Peer {
  readonly name: string;
  readonly relationKey: string;
  readonly port: MessagePort;
  start: bigint | undefined;
  committed: bigint | undefined;
  ready: boolean;
  readonly packer: ItemPacker;
  unconsumed: number;
  lastSent: bigint;
  ended: boolean;
  /**
   * Re-attached behind the hub: what was read already passed its start, so nothing (changes or
   * idle progress) goes to it until a restart reads again from the slot. Progress sent meanwhile
   * would tell it the missed changes were empty: it would checkpoint past them and skip them when
   * they come again.
   */
  behind: boolean;
  holdsMainExport: boolean;
  tempSnapshot: ReplicationConnection | undefined;
  /** The highest commit or idle-progress LSN posted to the stream's worker (its position as the hub knows it). */
  delivered: bigint;
  /** When items last went to the stream's worker (`performance.now()`; its attachment counts). */
  deliveredAt: number;
  /** Test-only (see `HubOptions.mute`): what is packed for it is dropped. */
  muted: boolean;
}

/** What the stall watchdog reads about one stream attached to a hub (see `stallVerdict`). */
export interface HubStallProbe {
  readonly deliveredAt: number;
  /** The highest LSN delivered to the stream, committed by it, or its start. */
  readonly position: bigint;
  /** The highest commit LSN of a transaction the hub read that changed the stream's table. */
  readonly tableWal: bigint | undefined;
}

type HubState = 'new' | 'waiting' | 'streaming' | 'stopping' | 'drained' | 'failed' | 'closed';

/** The end of a hub: what was acknowledged and how far the slot trails the WAL. */
export interface HubSummary {
  readonly ackLsn?: string;
  readonly slotLagBytes?: number;
}

/**
 * One source's logical replication, shared by its CDC streams (see docs/architecture.md#change-data-capture): one walsender
 * connection and one slot. It routes pgoutput messages to the streams by relation (decoding
 * happens in each stream's worker), acknowledges the lowest LSN every stream has committed at the
 * destination (also while idle, and never past a stream's committed LSN), exports snapshots
 * consistent with the slot (the slot's own at creation, a temporary slot's later), and in a
 * one-shot run ends every stream once the WAL position of the start is reached.
 */
export class ReplicationHub {
  readonly #peers = new Map<string, Peer>();
  /** Floors of streams that detached (failed or finished) in this run. */
  readonly #gone = new Map<string, bigint | undefined>();
  readonly #relations = new Map<number, { key: string; data: Uint8Array }>();
  /** relation key -> the highest commit LSN of a transaction read that changed it (whichever streams took it). */
  readonly #tableWal = new Map<string, bigint>();
  /** stream -> its attachments in this run (test-only muting counts them). */
  readonly #attaches = new Map<string, number>();
  #state: HubState = 'new';
  #setup: Promise<void> | undefined;
  #sql: pg.Client | undefined;
  /** The last query queued on `#sql` (settled): the next one starts after it. */
  #sqlTail: Promise<void> = Promise.resolve();
  #repl: ReplicationConnection | undefined;
  /** The restart in progress (restarts run one at a time: see `#restart`). */
  #restarting: Promise<void> = Promise.resolve();
  /** A restart waiting for the transaction being routed to end. */
  #onBoundary: (() => void) | undefined;
  /** Between that end and the new connection: what the old connection still delivers is read again from the slot. */
  #cutOver = false;
  #slotExists = false;
  #mainExport: { name: string; lsn: string; holders: number } | undefined;
  #snapshotChain: Promise<unknown> = Promise.resolve();
  #processed = 0n;
  /** The server's end of WAL as its last frame reported it (0 before any). */
  #walEnd = 0n;
  #inTx = false;
  #txFinal = 0n;
  readonly #touched = new Set<Peer>();
  #target: bigint | undefined;
  #lastAck = 0n;
  #flushScheduled = false;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  #failure: Error | undefined;
  /** Creating the source's slot timed out: later streams fail at once instead of waiting again. */
  #slotCreateFailure: Error | undefined;
  /** Streamed (in-progress) transactions read so far, by top-level xid, until their Stream Commit or Abort. */
  #spools: SpoolSet | undefined;
  /** Between Stream Start and Stream Stop: the spool of the transaction the chunk belongs to. */
  #chunk: TransactionSpool | undefined;
  /** A committed streamed transaction is being routed: what the connection delivers meanwhile waits in `#held`. */
  #replaying = false;
  readonly #held: Buffer[] = [];
  /** The replay waits for the streams to consume (see `#roomToReplay`). */
  #replayWake: (() => void) | undefined;

  constructor(
    readonly source: HubSource,
    readonly options: HubOptions,
  ) {}

  get failed(): boolean {
    return this.#state === 'failed';
  }

  /** Adds a stream. Fails with SLOT_INVALIDATED, SLOT_MISSING or LSN_GAP before anything is read. */
  async attach(attach: HubAttach, port: MessagePort): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#setup ??= this.#connect();
    await this.#setup;
    const slot = await this.#slotRow();
    if (slot?.walStatus === 'lost') {
      throw cdcError(
        'SLOT_INVALIDATED',
        `${attach.stream}: replication slot "${this.source.slot}" was invalidated (wal_status = lost): the server removed WAL it still needed, so changes are missing. ` +
          `Run \`rapidbyte state reset <pipeline.yaml>\` to drop the slot and re-snapshot every CDC stream of this source.`,
        attach.stream,
      );
    }
    this.#slotExists = slot !== undefined;
    const start = attach.startLsn === undefined ? undefined : parseLsn(attach.startLsn);
    if (start !== undefined && !slot) {
      throw cdcError(
        'SLOT_MISSING',
        `${attach.stream}: replication slot "${this.source.slot}" does not exist, but this stream has committed changes up to ${attach.startLsn}: ` +
          `changes since then cannot be read. Run \`rapidbyte state reset <pipeline.yaml>\` to re-snapshot every CDC stream of this source (nothing is re-snapshotted silently).`,
        attach.stream,
      );
    }
    if (start !== undefined && slot && start < slot.confirmed) {
      throw cdcError(
        'LSN_GAP',
        `${attach.stream}: the destination committed this stream up to ${attach.startLsn}, but replication slot "${this.source.slot}" ` +
          `was already acknowledged up to ${formatLsn(slot.confirmed)}: changes in between are gone. Run \`rapidbyte state reset <pipeline.yaml> --stream ${attach.stream}\` to re-snapshot it.`,
        attach.stream,
      );
    }
    if (this.#peers.has(attach.stream))
      throw cdcError('STREAM_ATTACHED', `${attach.stream}: already attached to the replication hub`, attach.stream);
    // a retry resuming behind what was already read (or routed, inside a transaction): read again from the slot
    const behind =
      start !== undefined && (this.#state === 'streaming' || this.#state === 'drained') && start < this.#position();
    const attaches = (this.#attaches.get(attach.stream) ?? 0) + 1;
    this.#attaches.set(attach.stream, attaches);
    const mute = this.options.mute;
    const peer: Peer = {
      name: attach.stream,
      relationKey: `${attach.schemaName}.${attach.tableName}`,
      port,
      start,
      committed: undefined,
      ready: start !== undefined,
      packer: new ItemPacker(),
      unconsumed: 0,
      lastSent: start ?? 0n,
      ended: false,
      behind,
      holdsMainExport: false,
      tempSnapshot: undefined,
      delivered: start ?? 0n,
      deliveredAt: performance.now(),
      muted: mute !== undefined && mute.stream === attach.stream && attaches <= mute.attaches,
    };
    this.#peers.set(peer.name, peer);
    this.#gone.delete(peer.name);
    // the others skip what they have already taken in
    if (behind) await this.#restart();
    for (const relation of this.#relations.values()) {
      if (relation.key === peer.relationKey) peer.packer.push(ITEM_KINDS.relation, 0n, relation.data);
    }
    if (this.#state === 'drained' && peer.ready) this.#endPeer(peer);
    this.#scheduleFlush();
    await this.#maybeStart();
  }

  /** An exported snapshot for `stream`: the new slot's own (first run) or a temporary slot's. */
  snapshot(stream: string): Promise<{ name: string; lsn: string }> {
    const run = this.#snapshotChain.then(() => this.#snapshot(stream));
    this.#snapshotChain = run.catch(() => undefined);
    return run;
  }

  async #snapshot(stream: string): Promise<{ name: string; lsn: string }> {
    const peer = this.#peer(stream);
    const before = this.#state === 'new' || this.#state === 'waiting';
    if (before && (!this.#slotExists || this.#mainExport)) {
      if (!this.#mainExport) {
        if (this.#slotCreateFailure) {
          throw cdcError(
            'SLOT_CREATE_TIMEOUT',
            `${stream}: creating the source's replication slot failed earlier in this run: ${this.#slotCreateFailure.message}`,
            stream,
          );
        }
        let created: CreatedSlot;
        try {
          created = await this.#createSlot(this.#repl as ReplicationConnection, this.source.slot, false, stream);
        } catch (error) {
          if ((error as { code?: string }).code === 'SLOT_CREATE_TIMEOUT') this.#slotCreateFailure = error as Error;
          throw error;
        }
        this.#slotExists = true;
        this.#mainExport = { name: created.snapshotName, lsn: created.consistentPoint, holders: 0 };
        this.options.log('info', `created replication slot "${this.source.slot}" at ${created.consistentPoint}`);
      }
      this.#mainExport.holders += 1;
      peer.holdsMainExport = true;
      peer.start = parseLsn(this.#mainExport.lsn);
      return { name: this.#mainExport.name, lsn: this.#mainExport.lsn };
    }
    const temp = await ReplicationConnection.open(this.source.connect);
    try {
      const created = await this.#createSlot(temp, `rb_tmp_${randomBytes(6).toString('hex')}`, true, stream);
      peer.tempSnapshot = temp;
      peer.start = parseLsn(created.consistentPoint);
      this.options.log('info', `${stream}: snapshot at ${created.consistentPoint} (temporary slot)`);
      return { name: created.snapshotName, lsn: created.consistentPoint };
    } catch (error) {
      await temp.close();
      throw error;
    }
  }

  /** CREATE_REPLICATION_SLOT, reporting the open transactions it waits on and giving up after the timeout. */
  #createSlot(repl: ReplicationConnection, slot: string, temporary: boolean, stream: string): Promise<CreatedSlot> {
    return createSlotWatched({
      repl,
      query: (text, values) => this.#query(text, values),
      slot,
      temporary,
      timeoutMs: this.source.slotCreateTimeoutMs ?? DEFAULT_SLOT_CREATE_TIMEOUT_MS,
      stream,
      log: (level, message) => this.options.log(level, message),
    });
  }

  /** The stream imported its snapshot (or gave up on it): release the export. */
  async snapshotDone(stream: string): Promise<void> {
    const peer = this.#peer(stream);
    peer.ready = true;
    if (peer.tempSnapshot) {
      const temp = peer.tempSnapshot;
      peer.tempSnapshot = undefined;
      await temp.close();
    }
    if (peer.holdsMainExport && this.#mainExport) {
      peer.holdsMainExport = false;
      this.#mainExport.holders -= 1;
      if (this.#mainExport.holders <= 0) this.#mainExport = undefined;
    }
    if (this.#state === 'drained') this.#endPeer(peer);
    this.#scheduleFlush();
    await this.#maybeStart();
  }

  committed(stream: string, lsn: string): void {
    const value = parseLsn(lsn);
    const peer = this.#peers.get(stream);
    if (peer) {
      if (peer.committed === undefined || value > peer.committed) peer.committed = value;
      if (this.#walEnd > 0n) this.options.onLag?.(stream, Number(this.#walEnd > value ? this.#walEnd - value : 0n));
    } else if (this.#gone.has(stream)) {
      // reported after its worker exited (the port's message may come later than the exit)
      const floor = this.#gone.get(stream);
      if (floor === undefined || value > floor) this.#gone.set(stream, value);
    } else return;
    this.#ack(false);
  }

  credit(stream: string, n: number, port?: MessagePort): void {
    const peer = this.#peers.get(stream);
    if (!peer || (port !== undefined && peer.port !== port)) return;
    peer.unconsumed = Math.max(0, peer.unconsumed - n);
    this.#maybeResume();
  }

  #maybeResume(): void {
    if (!this.#belowLowWater()) return;
    const wake = this.#replayWake;
    this.#replayWake = undefined;
    wake?.();
    if (this.#paused) {
      this.#paused = false;
      if (!this.#replaying) this.#repl?.resume();
    }
  }

  #belowLowWater(): boolean {
    for (const p of this.#peers.values()) if (p.unconsumed >= LOW_WATER_ITEMS) return false;
    return true;
  }

  /**
   * The stream's worker is gone (finished, failed or killed): its committed LSN stays a floor.
   * `port`: the attempt that detaches; a late detach of an earlier attempt leaves the next one attached.
   */
  async detach(stream: string, port?: MessagePort): Promise<void> {
    const peer = this.#peers.get(stream);
    if (!peer || (port !== undefined && peer.port !== port)) return;
    this.#peers.delete(stream);
    this.#gone.set(stream, peer.committed ?? peer.start);
    if (peer.tempSnapshot) await peer.tempSnapshot.close();
    if (peer.holdsMainExport && this.#mainExport) {
      this.#mainExport.holders -= 1;
      if (this.#mainExport.holders <= 0) this.#mainExport = undefined;
    }
    await this.#maybeStart().catch(() => undefined);
    // the stream that left may have been the one over the high water mark
    this.#maybeResume();
  }

  /**
   * The stall watchdog's view of a stream past its snapshot: when it last got something, where it
   * stands, and how far the hub has read changes of its table. Undefined while it snapshots (or is
   * not attached). A stream the hub has ended still owes what was not delivered to it.
   */
  stallProbe(stream: string): HubStallProbe | undefined {
    const peer = this.#peers.get(stream);
    if (!peer || !peer.ready) return undefined;
    let position = peer.delivered;
    if (peer.committed !== undefined && peer.committed > position) position = peer.committed;
    if (peer.start !== undefined && peer.start > position) position = peer.start;
    return { deliveredAt: peer.deliveredAt, position, tableWal: this.#tableWal.get(peer.relationKey) };
  }

  /** The stream is done for this run (its last attempt ended): streaming no longer waits for it. */
  forget(stream: string): void {
    if (this.#peers.has(stream)) return;
    if (!this.#gone.has(stream)) this.#gone.set(stream, this.options.floors.get(stream));
    void this.#maybeStart().catch((error: unknown) => this.#fail(error as Error));
  }

  /** SIGINT/SIGTERM: every stream ends at its next transaction boundary (then commits and the slot is acked). */
  stop(): void {
    if (this.#state === 'streaming') this.#state = 'stopping';
    else if (this.#state === 'new' || this.#state === 'waiting') this.#state = 'drained';
    else return;
    if (!this.#inTx) this.#drainAll();
  }

  /** Final acknowledgement, slot lag, connections closed. */
  async close(): Promise<HubSummary> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#ack(true);
    let slotLagBytes: number | undefined;
    try {
      if (this.#sql && this.#lastAck > 0n) {
        const r = await this.#query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::int8::text AS lag', [
          formatLsn(this.#lastAck),
        ]);
        slotLagBytes = Math.max(0, Number((r.rows[0] as { lag: string }).lag));
      }
    } catch {
      /* lag is informational */
    }
    this.#state = 'closed';
    const boundary = this.#onBoundary;
    this.#onBoundary = undefined;
    boundary?.();
    this.#wakeReplay();
    this.#spools?.clear();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the last status update leave
    await this.#repl?.close();
    for (const peer of this.#peers.values()) await peer.tempSnapshot?.close();
    await this.#sql?.end().catch(() => undefined);
    return { ackLsn: this.#lastAck > 0n ? formatLsn(this.#lastAck) : undefined, slotLagBytes };
  }

  // ---- internals ----

  async #connect(): Promise<void> {
    this.#sql = await connectPgClient({ ...this.source.connect, applicationName: 'rapidbyte/replication-status' });
    this.#sql.on('error', () => undefined);
    this.#repl = await ReplicationConnection.open(this.source.connect);
    this.#state = 'waiting';
  }

  /**
   * One query on the status connection, after the ones before it: streams attach concurrently and
   * each reads the slot's row, and node-postgres deprecates queueing a query on a busy client
   * (a DeprecationWarning on stderr with a dozen CDC streams).
   */
  #query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const sql = this.#sql as pg.Client;
    const result = this.#sqlTail.then(() => sql.query(text, values));
    this.#sqlTail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async #slotRow(): Promise<{ walStatus: string; confirmed: bigint } | undefined> {
    const r = await this.#query(
      `SELECT coalesce(wal_status, '') AS wal_status, coalesce(confirmed_flush_lsn, '0/0')::text AS confirmed, plugin, slot_type
         FROM pg_replication_slots WHERE slot_name = $1`,
      [this.source.slot],
    );
    const row = r.rows[0] as
      { wal_status: string; confirmed: string; plugin: string | null; slot_type: string } | undefined;
    if (!row) return undefined;
    if (row.slot_type !== 'logical' || row.plugin !== 'pgoutput') {
      throw cdcError(
        'SLOT_NOT_PGOUTPUT',
        `replication slot "${this.source.slot}" exists but is a ${row.slot_type} slot${row.plugin ? ` of plugin ${row.plugin}` : ''}, not a pgoutput logical slot; choose another cdc.slot_name`,
      );
    }
    return { walStatus: row.wal_status, confirmed: parseLsn(row.confirmed) };
  }

  async #waitSlotInactive(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const r = await this.#query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [this.source.slot]);
      if ((r.rows[0] as { active: boolean } | undefined)?.active !== true) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #peer(stream: string): Peer {
    const peer = this.#peers.get(stream);
    if (!peer) throw cdcError('STREAM_NOT_ATTACHED', `${stream}: not attached to the replication hub`, stream);
    return peer;
  }

  async #maybeStart(): Promise<void> {
    if (this.#state !== 'waiting' || !this.#slotExists || this.#mainExport) return;
    for (const name of this.options.expected) {
      const peer = this.#peers.get(name);
      if (peer ? !peer.ready : !this.#gone.has(name)) return;
    }
    if (this.#peers.size === 0) return;
    this.#state = 'streaming';
    await this.#startStreaming(this.#repl as ReplicationConnection);
    this.#timer = setInterval(() => this.#tick(), this.options.follow ? STATUS_INTERVAL_MS : DRAIN_POLL_MS);
    this.#timer.unref();
  }

  async #startStreaming(repl: ReplicationConnection): Promise<void> {
    if (!this.options.follow && this.#target === undefined) this.#target = parseLsn(await repl.identify());
    this.#inTx = false;
    this.#touched.clear();
    // a new walsender streams every in-progress transaction again from its first chunk
    this.#spools?.clear();
    this.#chunk = undefined;
    const streamTransactions = this.source.streamTransactions !== false && repl.canStreamTransactions;
    repl.start(
      this.source.slot,
      this.source.publication,
      '0/0',
      (chunk) => this.#onData(chunk),
      (error) => this.#fail(error),
      streamTransactions,
    );
    this.options.log(
      'debug',
      `streaming from slot "${this.source.slot}"${this.#target !== undefined ? ` until ${formatLsn(this.#target)}` : ' (follow)'}` +
        ` (pgoutput protocol ${streamTransactions ? '2, large transactions streamed' : '1'})`,
    );
    this.#status(this.#lastAck, true);
  }

  /**
   * Reads again from the slot's confirmed position (a stream resumed behind the hub). Restarts run
   * one after the other: two streams retried at nearly the same time once ran two restarts
   * interleaved — the second saw no connection while the first was opening one, opened its own, and
   * its START_REPLICATION failed with "replication slot … is active" (the first one's walsender),
   * failing every stream of the source.
   */
  #restart(): Promise<void> {
    const next = this.#restarting.then(() => this.#restartNow());
    // streams held behind would wait for ever on a hub without a connection: they fail (and retry)
    this.#restarting = next.catch((error: unknown) => this.#fail(error as Error));
    return next;
  }

  async #restartNow(): Promise<void> {
    if (this.options.restartDelayMs) await new Promise((resolve) => setTimeout(resolve, this.options.restartDelayMs));
    const old = this.#repl;
    // a transaction cut in the middle comes again from its start: the streams it went to would take
    // its first changes twice. Its end is near (pgoutput sends a transaction in one piece).
    if (old && this.#inTx) await new Promise<void>((resolve) => (this.#onBoundary = resolve));
    if (this.#state === 'failed' || this.#state === 'closed') return;
    this.#cutOver = true;
    this.#repl = undefined;
    await old?.close();
    // the server releases the slot only once the old walsender has exited
    await this.#waitSlotInactive();
    this.#repl = await ReplicationConnection.open(this.source.connect);
    this.#paused = false;
    this.#processed = 0n;
    // the old connection is closed (nothing of it is routed any more) and the new one reads from
    // the slot's confirmed position, at or below every stream's start: streams held behind take part again
    for (const peer of this.#peers.values()) peer.behind = false;
    this.#cutOver = false;
    if (this.#state === 'drained') this.#state = 'streaming';
    await this.#startStreaming(this.#repl);
  }

  /** How far the replication stream has been read: past `#processed` inside a transaction being routed. */
  #position(): bigint {
    return this.#inTx && this.#txFinal > this.#processed ? this.#txFinal : this.#processed;
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'closed' || this.#state === 'failed' || this.#cutOver) return;
    if (this.#replaying) {
      // the parser reuses its buffer: keep a copy (little: the socket is paused while a replay runs)
      this.#held.push(Buffer.from(chunk));
      return;
    }
    try {
      const frame = parseReplicationFrame(chunk);
      if (frame.walEnd > this.#walEnd) this.#walEnd = frame.walEnd;
      if (frame.type === 'keepalive') {
        if (!this.#inTx && frame.walEnd > this.#processed) this.#processed = frame.walEnd;
        if (frame.replyRequested) this.#status(this.#lastAck, false);
        this.#checkDrain();
        return;
      }
      this.#route(frame.data);
      this.#scheduleFlush();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #route(msg: Buffer): void {
    const tag = msg[0] as number;
    if (this.#chunk !== undefined && STREAMED_XID_TAGS.has(tag)) {
      this.#spool(this.#chunk, msg);
      return;
    }
    switch (tag) {
      case PGOUTPUT_TAGS.begin:
        this.#begin(msg.readBigUInt64BE(1));
        return;
      case PGOUTPUT_TAGS.commit:
        // flags(1) commit_lsn(8) end_lsn(8)
        this.#commit(msg.readBigUInt64BE(10));
        return;
      case PGOUTPUT_TAGS.streamStart: {
        const start = parsePgOutput(msg);
        if (start.tag !== 'streamStart') return;
        this.#spools ??= new SpoolSet(this.source.spoolMemoryBytes ?? DEFAULT_SPOOL_MEMORY_BYTES);
        let spool = this.#spools.get(start.xid);
        // a connection streams a transaction from its first chunk: one seen from its middle would lose its start
        if (start.firstSegment === (spool !== undefined)) {
          throw new ReplicationError(
            'PGOUTPUT_PROTOCOL',
            `pgoutput Stream Start of transaction ${start.xid} ${start.firstSegment ? 'says first chunk, but chunks of it came before' : 'continues a transaction whose first chunk never came'}`,
            { offset: 0 },
          );
        }
        if (!spool) {
          spool = this.#spools.open(start.xid);
          this.options.log(
            'debug',
            `transaction ${start.xid} streams in chunks before its commit (spooled until then)`,
          );
        }
        spool.chunks += 1;
        this.#chunk = spool;
        return;
      }
      case PGOUTPUT_TAGS.streamStop:
        this.#chunk = undefined;
        return;
      case PGOUTPUT_TAGS.streamAbort: {
        const abort = parsePgOutput(msg);
        if (abort.tag !== 'streamAbort') return;
        if (abort.xid === abort.subXid) {
          this.#spools?.discard(abort.xid);
          this.options.log('debug', `streamed transaction ${abort.xid} aborted: its spooled changes are dropped`);
        } else this.#spools?.get(abort.xid)?.abortSubtransaction(abort.subXid);
        return;
      }
      case PGOUTPUT_TAGS.streamCommit: {
        const commit = parsePgOutput(msg);
        if (commit.tag !== 'streamCommit') return;
        const spool = this.#spools?.get(commit.xid);
        if (!spool) {
          throw new ReplicationError(
            'PGOUTPUT_PROTOCOL',
            `pgoutput Stream Commit of transaction ${commit.xid}, whose chunks never came`,
            { offset: 0 },
          );
        }
        void this.#replay(spool, commit.commitLsn, commit.endLsn);
        return;
      }
      case PGOUTPUT_TAGS.relation: {
        const relation = parsePgOutput(msg);
        if (relation.tag !== 'relation') return;
        const key = `${relation.namespace}.${relation.name}`;
        const data = Uint8Array.from(msg);
        this.#relations.set(relation.relationId, { key, data });
        for (const peer of this.#peers.values())
          if (peer.relationKey === key && !peer.behind) peer.packer.push(ITEM_KINDS.relation, 0n, data);
        return;
      }
      case PGOUTPUT_TAGS.insert:
      case PGOUTPUT_TAGS.update:
      case PGOUTPUT_TAGS.delete:
        this.#toRelation(msg.readUInt32BE(1), msg);
        return;
      case PGOUTPUT_TAGS.truncate: {
        const truncate = parsePgOutput(msg);
        if (truncate.tag !== 'truncate') return;
        for (const id of truncate.relationIds) this.#toRelation(id, msg);
        return;
      }
      default:
        return; // type, origin, message
    }
  }

  #begin(finalLsn: bigint): void {
    this.#inTx = true;
    this.#txFinal = finalLsn;
    this.#touched.clear();
  }

  #commit(end: bigint): void {
    for (const peer of this.#touched) {
      peer.packer.push(ITEM_KINDS.commit, end);
      peer.lastSent = end;
    }
    this.#touched.clear();
    this.#inTx = false;
    if (end > this.#processed) this.#processed = end;
    if (this.#onBoundary) {
      // a restart waits for this boundary: nothing after it is routed (later messages of the same read included)
      const resume = this.#onBoundary;
      this.#onBoundary = undefined;
      this.#cutOver = true;
      resume();
    }
    if (this.#state === 'stopping') this.#drainAll();
    else this.#checkDrain();
  }

  /**
   * A message of a streamed chunk: kept in protocol version 1 form (the xid after the tag
   * dropped) in its transaction's spool. Type and logical messages are not routed (as outside
   * chunks); Relation messages are kept whatever becomes of their subtransaction.
   */
  #spool(spool: TransactionSpool, msg: Buffer): void {
    if (msg.length < 5) {
      throw new ReplicationError(
        'PGOUTPUT_PROTOCOL',
        `malformed pgoutput message 0x${(msg[0] as number).toString(16)} in a streamed chunk (${msg.length} bytes): no xid`,
        { offset: msg.length },
      );
    }
    const tag = msg[0] as number;
    if (tag === PGOUTPUT_TAGS.type || tag === PGOUTPUT_TAGS.message) return;
    if (tag !== PGOUTPUT_TAGS.relation) {
      spool.append(msg.readUInt32BE(1), msg.subarray(5), tag);
      return;
    }
    const plain = Buffer.alloc(msg.length - 4);
    plain[0] = tag;
    msg.copy(plain, 1, 5);
    spool.appendRelation(plain);
  }

  /**
   * A streamed transaction committed: its spooled messages are routed as one transaction at its
   * commit LSN, exactly as a transaction sent whole (Begin … Commit) is. The connection is paused
   * meanwhile (what it still delivers is held, then routed after), and the replay waits whenever a
   * stream has more than the high-water mark unconsumed — as reading the socket does.
   */
  async #replay(spool: TransactionSpool, commitLsn: bigint, endLsn: bigint): Promise<void> {
    this.#replaying = true;
    this.#repl?.pause();
    const changes = spool.changes;
    this.options.log(
      'debug',
      `streamed transaction ${spool.xid} commits at ${formatLsn(commitLsn)}: routing its ${changes} changes`,
    );
    try {
      this.#begin(commitLsn);
      let n = 0;
      for (const msg of spool.messages()) {
        this.#route(msg);
        if (++n % REPLAY_SLICE !== 0) continue;
        this.#flush();
        await this.#roomToReplay();
        if (this.#state === 'failed' || this.#state === 'closed') return;
      }
      this.#commit(endLsn);
      this.#scheduleFlush();
      this.options.log(
        'debug',
        `streamed transaction ${spool.xid} committed at ${formatLsn(commitLsn)}: ${spool.chunks} chunks, ${changes} changes` +
          (spool.fileBytes > 0 ? `, ${spool.fileBytes} bytes spooled to disk` : ''),
      );
    } catch (error) {
      this.#fail(error as Error);
    } finally {
      this.#spools?.discard(spool.xid);
      this.#replaying = false;
      this.#afterReplay();
    }
  }

  /** Resolves once every stream is below the low-water mark (at once if it is) or the hub ends. */
  async #roomToReplay(): Promise<void> {
    if (this.#peers.size === 0 || [...this.#peers.values()].every((p) => p.unconsumed <= HIGH_WATER_ITEMS)) {
      // let credits and status updates through between slices
      await new Promise((resolve) => setImmediate(resolve));
      return;
    }
    if (this.#belowLowWater()) return;
    await new Promise<void>((resolve) => (this.#replayWake = resolve));
  }

  #wakeReplay(): void {
    const wake = this.#replayWake;
    this.#replayWake = undefined;
    wake?.();
  }

  /** Routes what the connection delivered during a replay, then reads on (unless another replay began). */
  #afterReplay(): void {
    while (this.#held.length > 0 && !this.#replaying) this.#onData(this.#held.shift() as Buffer);
    if (!this.#replaying && !this.#paused && this.#state !== 'failed' && this.#state !== 'closed') this.#repl?.resume();
  }

  #toRelation(relationId: number, msg: Buffer): void {
    const key = this.#relations.get(relationId)?.key;
    if (key === undefined) return;
    if (this.#txFinal > (this.#tableWal.get(key) ?? 0n)) this.#tableWal.set(key, this.#txFinal);
    for (const peer of this.#peers.values()) {
      if (peer.relationKey !== key || peer.ended || peer.behind) continue;
      peer.packer.push(ITEM_KINDS.change, this.#txFinal, msg);
      this.#touched.add(peer);
    }
  }

  #checkDrain(): void {
    if (this.#state !== 'streaming' || this.options.follow || this.#inTx || this.#target === undefined) return;
    if (this.#processed < this.#target) return;
    this.#state = 'drained';
    this.#drainAll();
  }

  /** Every ready stream gets the LSN reached and its end. */
  #drainAll(): void {
    if (this.#state === 'stopping') this.#state = 'drained';
    for (const peer of this.#peers.values()) if (peer.ready) this.#endPeer(peer);
    this.#scheduleFlush();
  }

  #endPeer(peer: Peer): void {
    if (peer.ended) return;
    if (this.#processed > peer.lastSent && !peer.behind) {
      peer.packer.push(ITEM_KINDS.advance, this.#processed);
      peer.lastSent = this.#processed;
    }
    peer.packer.push(ITEM_KINDS.end, 0n);
    peer.ended = true;
  }

  #tick(): void {
    if (this.#state === 'streaming' || this.#state === 'stopping' || this.#state === 'drained') {
      this.#status(this.#lastAck, this.#state === 'streaming' || this.#state === 'stopping');
    }
    if (this.#state === 'streaming' && !this.#inTx) {
      for (const peer of this.#peers.values()) {
        if (
          peer.ready &&
          !peer.ended &&
          !peer.behind &&
          this.#processed > peer.lastSent &&
          peer.unconsumed < LOW_WATER_ITEMS
        ) {
          peer.packer.push(ITEM_KINDS.advance, this.#processed);
          peer.lastSent = this.#processed;
        }
      }
      this.#scheduleFlush();
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    for (const peer of this.#peers.values()) {
      if (peer.packer.count === 0) continue;
      const batch = peer.packer.take();
      if (peer.muted) continue;
      peer.unconsumed += batch.kinds.length;
      peer.delivered = peer.lastSent;
      peer.deliveredAt = performance.now();
      const message: HubToWorker = { t: 'items', ...batch };
      peer.port.postMessage(message, transferablesOf(batch));
    }
    if (!this.#paused && [...this.#peers.values()].some((p) => p.unconsumed > HIGH_WATER_ITEMS)) {
      this.#paused = true;
      this.#repl?.pause();
    }
  }

  /** The lowest LSN every stream has committed (attached, detached, or not in this run). */
  #ackLsn(): bigint | undefined {
    let min: bigint | undefined;
    const consider = (lsn: bigint | undefined): void => {
      if (lsn !== undefined && (min === undefined || lsn < min)) min = lsn;
    };
    for (const peer of this.#peers.values()) consider(peer.committed ?? peer.start);
    for (const lsn of this.#gone.values()) consider(lsn);
    for (const [name, lsn] of this.options.floors) if (!this.#peers.has(name) && !this.#gone.has(name)) consider(lsn);
    return min;
  }

  #ack(force: boolean): void {
    const ack = this.#ackLsn();
    if (ack === undefined || ack <= this.#lastAck) {
      if (force) this.#status(this.#lastAck, false);
      return;
    }
    this.#lastAck = ack;
    this.#status(ack, false);
  }

  #status(lsn: bigint, replyRequested: boolean): void {
    if (!this.#repl || (this.#state !== 'streaming' && this.#state !== 'stopping' && this.#state !== 'drained')) return;
    try {
      this.#repl.send(standbyStatusUpdate(lsn, lsn, lsn, replyRequested));
    } catch {
      /* the connection's failure is reported by its error handler */
    }
  }

  #fail(error: Error): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    this.#state = 'failed';
    this.#failure = error;
    const boundary = this.#onBoundary;
    this.#onBoundary = undefined;
    boundary?.();
    this.#wakeReplay();
    const wit = JSON.stringify(replicationFailure(this.source.slot, error));
    const data = new TextEncoder().encode(wit);
    for (const peer of this.#peers.values()) peer.packer.push(ITEM_KINDS.error as ItemKind, 0n, data);
    this.#flush();
    this.options.log('warn', `replication from slot "${this.source.slot}" failed: ${error.message}`);
  }
}

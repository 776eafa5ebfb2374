import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bytes of streamed-transaction changes one replication hub keeps in memory (all its open
 * streamed transactions together); past it the largest spool moves to a temporary file.
 */
export const DEFAULT_SPOOL_MEMORY_BYTES = 64 * 1024 * 1024;

/** Record header: the message's length. */
const HEADER = 4;
/** How much of a spool file a replay reads at once; also the size of a memory block past the first. */
const READ_BYTES = 1024 * 1024;
/** A spool's first memory block (most streamed transactions are a few times `logical_decoding_work_mem`). */
const FIRST_BLOCK_BYTES = 64 * 1024;

/**
 * The open streamed transactions of one replication hub, and their shared memory bound: each
 * appended message counts until its spool is written to disk. Past the bound, the spool holding
 * the most memory is written out, so a transaction of a million changes holds at most the bound.
 */
export class SpoolSet {
  readonly #spools = new Map<number, TransactionSpool>();
  #memoryBytes = 0;
  /** Bytes written to spool files since the set was made (what the bound sent to disk). */
  spilledBytes = 0;

  constructor(
    readonly memoryLimit: number = DEFAULT_SPOOL_MEMORY_BYTES,
    readonly dir: string = tmpdir(),
    /** Sizes of a spool's first memory block and of the next ones (tests make them small). */
    readonly blockBytes: { readonly first: number; readonly next: number } = {
      first: FIRST_BLOCK_BYTES,
      next: READ_BYTES,
    },
  ) {}

  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  get size(): number {
    return this.#spools.size;
  }

  get(xid: number): TransactionSpool | undefined {
    return this.#spools.get(xid);
  }

  /** A new spool for the top-level transaction `xid`. */
  open(xid: number): TransactionSpool {
    const spool = new TransactionSpool(xid, this, (delta) => this.#account(delta));
    this.#spools.set(xid, spool);
    return spool;
  }

  /** Drops the spool of `xid` (committed and replayed, or aborted) and its file. */
  discard(xid: number): void {
    const spool = this.#spools.get(xid);
    if (!spool) return;
    this.#spools.delete(xid);
    spool.dispose();
  }

  /** Drops every spool (the replication connection restarts: the server streams them again). */
  clear(): void {
    for (const xid of [...this.#spools.keys()]) this.discard(xid);
  }

  #account(delta: number): void {
    this.#memoryBytes += delta;
    if (delta <= 0 || this.#memoryBytes <= this.memoryLimit) return;
    let largest: TransactionSpool | undefined;
    for (const spool of this.#spools.values())
      if (largest === undefined || spool.memoryBytes > largest.memoryBytes) largest = spool;
    largest?.spill();
  }
}

/**
 * The changes of one streamed (in-progress) transaction, held until its Stream Commit: in
 * memory, then in a temporary file once its set's memory bound is passed. Messages are kept in
 * their protocol version 1 form (no xid), as the records `[u32 length][message]` packed into
 * blocks (no object per message: a million small changes would weigh more as objects than as
 * bytes); a position is the byte offset in that record sequence (file part first, then memory).
 *
 * Relation messages are kept apart with the position they came at: a subtransaction's abort
 * drops its changes, never a Relation message — the server sends a relation's description once
 * per transaction, so the transaction's later changes (outside the aborted subtransaction) rely
 * on it.
 */
export class TransactionSpool {
  /** Memory blocks and the bytes of records in each. */
  #blocks: Buffer[] = [];
  #used: number[] = [];
  /** Bytes of records in memory (the blocks' allocated size is what counts against the bound). */
  #memoryBytes = 0;
  #allocated = 0;
  #fd: number | undefined;
  #path: string | undefined;
  #fileBytes = 0;
  /** subtransaction xid -> position of its first change (what its abort truncates to). */
  readonly #firsts = new Map<number, number>();
  readonly #relations: { at: number; data: Buffer }[] = [];
  #changes = 0;
  /** Chunks (Stream Start … Stream Stop) the server sent of the transaction. */
  chunks = 0;

  constructor(
    readonly xid: number,
    readonly set: SpoolSet,
    readonly account: (delta: number) => void,
  ) {}

  /** Memory the spool holds (its blocks). */
  get memoryBytes(): number {
    return this.#allocated;
  }

  get fileBytes(): number {
    return this.#fileBytes;
  }

  /** Messages held (changes, not Relation messages), after subtransaction aborts. */
  get changes(): number {
    return this.#changes;
  }

  get #position(): number {
    return this.#fileBytes + this.#memoryBytes;
  }

  /**
   * Appends a change of subtransaction `subXid` (copied in): `body`, after the byte `tag` when
   * given (a streamed message without its xid: the tag, then what followed the xid).
   */
  append(subXid: number, body: Uint8Array, tag?: number): void {
    if (!this.#firsts.has(subXid)) this.#firsts.set(subXid, this.#position);
    const length = body.length + (tag === undefined ? 0 : 1);
    const need = HEADER + length;
    let last = this.#blocks.length - 1;
    let grown = 0;
    if (last < 0 || (this.#used[last] as number) + need > (this.#blocks[last] as Buffer).length) {
      grown = Math.max(need, this.#blocks.length === 0 ? this.set.blockBytes.first : this.set.blockBytes.next);
      this.#blocks.push(Buffer.allocUnsafeSlow(grown));
      this.#used.push(0);
      this.#allocated += grown;
      last += 1;
    }
    const block = this.#blocks[last] as Buffer;
    let at = this.#used[last] as number;
    block.writeUInt32BE(length, at);
    at += HEADER;
    if (tag !== undefined) block[at++] = tag;
    block.set(body, at);
    this.#used[last] = at + body.length;
    this.#memoryBytes += need;
    this.#changes += 1;
    // after the record is in: passing the bound may write this very spool out
    if (grown > 0) this.account(grown);
  }

  /** A Relation message (protocol version 1 form, kept): replayed before the changes that follow it. */
  appendRelation(message: Buffer): void {
    this.#relations.push({ at: this.#position, data: message });
  }

  /**
   * Subtransaction `subXid` aborted: its changes, and those of every subtransaction that began
   * after its first change (its own subtransactions: a transaction's changes come in order, so
   * what follows a subtransaction's first change up to its abort is its own), are dropped.
   */
  abortSubtransaction(subXid: number): void {
    const at = this.#firsts.get(subXid);
    if (at === undefined) return;
    for (const [xid, first] of this.#firsts) if (first >= at) this.#firsts.delete(xid);
    for (const relation of this.#relations) if (relation.at > at) relation.at = at;
    if (at >= this.#fileBytes) {
      // in memory: find the block of `at`, count the records from there, cut
      let start = this.#fileBytes;
      let i = 0;
      while (i < this.#blocks.length && start + (this.#used[i] as number) <= at) start += this.#used[i++] as number;
      if (i === this.#blocks.length) return;
      let dropped = 0;
      for (let j = i; j < this.#blocks.length; j++) {
        const block = this.#blocks[j] as Buffer;
        const used = this.#used[j] as number;
        for (let p = j === i ? at - start : 0; p < used; p += HEADER + block.readUInt32BE(p)) dropped += 1;
      }
      this.#memoryBytes -= this.#position - at;
      this.#used[i] = at - start;
      this.#releaseBlocks(at - start === 0 ? i : i + 1);
      this.#changes -= dropped;
      return;
    }
    // inside the file: count what goes (the memory part, and the file's records past `at`)
    let dropped = 0;
    const inMemory = this.#memoryRecords();
    while (!inMemory.next().done) dropped += 1;
    this.#releaseBlocks(0);
    this.#memoryBytes = 0;
    const records = this.#fileRecords(at, this.#fileBytes);
    while (!records.next().done) dropped += 1;
    ftruncateSync(this.#fd as number, at);
    this.#fileBytes = at;
    this.#changes -= dropped;
  }

  /** Frees the memory blocks from `from` on. */
  #releaseBlocks(from: number): void {
    const gone = this.#blocks.splice(from);
    this.#used.splice(from);
    const bytes = gone.reduce((n, b) => n + b.length, 0);
    this.#allocated -= bytes;
    this.account(-bytes);
  }

  *#memoryRecords(): Generator<Buffer> {
    for (let j = 0; j < this.#blocks.length; j++) {
      const block = this.#blocks[j] as Buffer;
      const used = this.#used[j] as number;
      for (let p = 0; p < used;) {
        const len = block.readUInt32BE(p);
        yield block.subarray(p + HEADER, p + HEADER + len);
        p += HEADER + len;
      }
    }
  }

  /** Writes the memory part to the spool's file. */
  spill(): void {
    if (this.#memoryBytes === 0) return;
    if (this.#fd === undefined) this.#openFile();
    for (let j = 0; j < this.#blocks.length; j++) {
      const block = this.#blocks[j] as Buffer;
      const used = this.#used[j] as number;
      let written = 0;
      while (written < used)
        written += writeSync(this.#fd as number, block, written, used - written, this.#fileBytes + written);
      this.#fileBytes += used;
      this.set.spilledBytes += used;
    }
    this.#releaseBlocks(0);
    this.#memoryBytes = 0;
  }

  /**
   * Every kept message in order (Relation messages before the changes that followed them), in
   * protocol version 1 form. A message may be a view of a read buffer: valid until the next one.
   */
  *messages(): Generator<Buffer> {
    const relations = this.#relations;
    let r = 0;
    let at = 0;
    for (const part of [this.#fileRecords(0, this.#fileBytes), this.#memoryRecords()]) {
      for (const m of part) {
        for (; r < relations.length && (relations[r] as { at: number }).at <= at; r++)
          yield (relations[r] as { data: Buffer }).data;
        yield m;
        at += HEADER + m.length;
      }
    }
    for (; r < relations.length; r++) yield (relations[r] as { data: Buffer }).data;
  }

  /** Closes and removes the file; gives the memory back to the set. */
  dispose(): void {
    this.#releaseBlocks(0);
    this.#memoryBytes = 0;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#path !== undefined) unlinkQuietly(this.#path);
    this.#path = undefined;
  }

  #openFile(): void {
    const path = join(this.set.dir, `rapidbyte-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
    this.#fd = openSync(path, 'w+', 0o600);
    // removed at once where the system allows it (the open descriptor keeps it): a killed process leaves nothing behind
    this.#path = unlinkQuietly(path) ? undefined : path;
  }

  /** The file's records from byte `from` (a record boundary) to `to`. */
  *#fileRecords(from: number, to: number): Generator<Buffer> {
    let pos = from;
    let buf = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(0, to - from)));
    let start = 0;
    let end = 0;
    while (pos < to || end - start > 0) {
      if (end - start < HEADER || end - start < HEADER + buf.readUInt32BE(start)) {
        // move what is left to the front, then read more (a record larger than the buffer gets one of its size)
        const need = end - start >= HEADER ? HEADER + buf.readUInt32BE(start) : HEADER;
        const size = Math.max(buf.length, need);
        const next = size > buf.length ? Buffer.allocUnsafe(size) : buf;
        buf.copy(next, 0, start, end);
        buf = next;
        end -= start;
        start = 0;
        const n = readSync(this.#fd as number, buf, end, Math.min(buf.length - end, to - pos), pos);
        if (n <= 0) throw new Error(`spool file of transaction ${this.xid} ended at ${pos} of ${to} bytes`);
        pos += n;
        end += n;
        continue;
      }
      const len = buf.readUInt32BE(start);
      yield buf.subarray(start + HEADER, start + HEADER + len);
      start += HEADER + len;
    }
  }
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

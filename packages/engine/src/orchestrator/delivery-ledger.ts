/** What one attempt delivered to its destination, split by what became of it. */
export interface DeliveryCounts {
  /** Rows the destination committed (what its committed checkpoints cover, or its own count at a clean end). */
  readonly rowsCommitted: number;
  /** Bytes the destination had been sent when it last committed. */
  readonly bytesCommitted: number;
  /** Rows the destination received that no commit covers and that it did not reject: rolled back, or still open. */
  readonly rowsUncommitted: number;
}

/** A checkpoint marker the destination took, with the rows it had taken before it. */
interface TakenMarker {
  readonly payload: string;
  readonly rowsBefore: number;
}

/** JSON text in one spelling (a destination parses a marker and reports it re-serialised). */
function canonical(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    return json;
  }
}

/**
 * Counts the rows a destination commits, from what the host sees: the frames and checkpoint
 * markers it takes from its input (in order), and the markers it reports committed. A destination
 * takes no frame past a marker before that marker's commit, so the rows before a committed marker
 * are exactly the rows the commit covers — however often a rejected row made it load a frame again
 * piece by piece, and whatever an attempt rolled back. Rows the destination rejected (skipped or
 * dead-lettered) are received but never committed.
 */
export class DeliveryLedger {
  #received = 0;
  #rejected = 0;
  #committed = 0;
  #committedBytes = 0;
  readonly #markers: TakenMarker[] = [];

  /** The destination took a frame of `rows` rows. */
  frame(rows: number): void {
    this.#received += rows;
  }

  /** The destination took a checkpoint marker. */
  marker(payload: string): void {
    this.#markers.push({ payload: canonical(payload), rowsBefore: this.#received });
  }

  /** The destination rejected `rows` received rows (dead-lettered or skipped). */
  rejected(rows: number): void {
    this.#rejected += rows;
  }

  /**
   * The destination committed up to the marker `payload`; `bytesSent` is what it had been sent
   * by then. Markers it committed without reporting (one report for several) are covered too.
   */
  committed(payload: string, bytesSent: number): void {
    const wanted = canonical(payload);
    const at = this.#markers.findIndex((m) => m.payload === wanted);
    // a report that matches no marker taken: at most everything taken so far is committed
    const covered = at >= 0 ? (this.#markers[at] as TakenMarker).rowsBefore : this.#received;
    this.#markers.splice(0, at >= 0 ? at + 1 : this.#markers.length);
    this.#committed = Math.max(this.#committed, covered - this.#rejected);
    this.#committedBytes = bytesSent;
  }

  /**
   * The destination's session ended cleanly: `rows` is its own count of the rows it committed (a
   * write session's `rows`); without one, everything received and not rejected is committed.
   */
  finished(rows: number | undefined, bytesSent: number): void {
    this.#committed = rows ?? Math.max(0, this.#received - this.#rejected);
    this.#committedBytes = bytesSent;
  }

  get counts(): DeliveryCounts {
    return {
      rowsCommitted: this.#committed,
      bytesCommitted: this.#committedBytes,
      rowsUncommitted: Math.max(0, this.#received - this.#committed - this.#rejected),
    };
  }
}

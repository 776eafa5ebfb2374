/**
 * A run's interrupt (SIGINT/SIGTERM) as one listener on its AbortSignal, fanned out to every
 * stream attempt that waits for it. Each concurrent attempt needs to hear the signal, and a
 * pipeline may have hundreds of CDC streams running at once (they take no `parallelism` permit):
 * a listener per attempt on the one signal crossed Node's leak threshold (10) and printed a
 * MaxListenersExceededWarning at 11 streams, though nothing leaked.
 */
export class Interrupts {
  readonly #signal: AbortSignal | undefined;
  readonly #callbacks = new Set<() => void>();
  readonly #onAbort = (): void => {
    for (const callback of [...this.#callbacks]) callback();
  };

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Whether the run was interrupted. */
  get aborted(): boolean {
    return this.#signal?.aborted === true;
  }

  /** Calls `callback` once the run is interrupted (at once when it already was); returns the unsubscribe. */
  subscribe(callback: () => void): () => void {
    this.#callbacks.add(callback);
    if (this.aborted) callback();
    return () => {
      this.#callbacks.delete(callback);
    };
  }

  /** Stops listening to the signal (the run is over). */
  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#callbacks.clear();
  }
}

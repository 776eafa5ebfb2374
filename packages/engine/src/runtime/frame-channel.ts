import type { Frame } from './copy-rows-frame.js';

/** What travels between the stages of one stream, in order: data and checkpoint markers. */
export type ChannelItem =
  | { readonly kind: 'frame'; readonly batch: Frame }
  | { readonly kind: 'checkpoint'; readonly payload: string }
  | { readonly kind: 'end' };

/**
 * A bounded single-producer single-consumer channel. The producer awaits `ready()` before its
 * next step (backpressure); the consumer awaits `next()`. Closing with an error wakes both sides.
 */
export class FrameChannel {
  readonly #items: ChannelItem[] = [];
  readonly #capacity: number;
  #waitingConsumer: (() => void) | undefined;
  #waitingProducer: (() => void) | undefined;
  #error: Error | undefined;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Adds an item without waiting (emit is a synchronous import); `ready()` applies backpressure. */
  push(item: ChannelItem): void {
    if (this.#error) throw this.#error;
    this.#items.push(item);
    this.#wakeConsumer();
  }

  /** Resolves when the channel has room for the producer's next step. */
  async ready(): Promise<void> {
    while (this.#items.length >= this.#capacity && !this.#error) {
      await new Promise<void>((resolve) => (this.#waitingProducer = resolve));
    }
    if (this.#error) throw this.#error;
  }

  async next(): Promise<ChannelItem> {
    while (this.#items.length === 0 && !this.#error) {
      await new Promise<void>((resolve) => (this.#waitingConsumer = resolve));
    }
    if (this.#error) throw this.#error;
    const item = this.#items.shift() as ChannelItem;
    this.#wakeProducer();
    return item;
  }

  /** Fails both ends (e.g. the other side of the chain died). */
  fail(error: Error): void {
    if (!this.#error) this.#error = error;
    this.#wakeConsumer();
    this.#wakeProducer();
  }

  get length(): number {
    return this.#items.length;
  }

  #wakeConsumer(): void {
    const w = this.#waitingConsumer;
    this.#waitingConsumer = undefined;
    w?.();
  }

  #wakeProducer(): void {
    const w = this.#waitingProducer;
    this.#waitingProducer = undefined;
    w?.();
  }
}

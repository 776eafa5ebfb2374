import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Interrupts } from './interrupts.js';

describe('Interrupts', () => {
  it('one listener on the signal, however many subscribers; each called once on abort', () => {
    const controller = new AbortController();
    const interrupts = new Interrupts(controller.signal);
    const calls: number[] = [];
    const unsubscribe = Array.from({ length: 50 }, (_, i) => interrupts.subscribe(() => calls.push(i)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unsubscribe[0]?.();
    expect(interrupts.aborted).toBe(false);
    controller.abort();
    expect(interrupts.aborted).toBe(true);
    expect(calls).toHaveLength(49);
    expect(calls).not.toContain(0);
  });

  it('a subscriber after the interrupt is called at once; close removes the listener', () => {
    const controller = new AbortController();
    const interrupts = new Interrupts(controller.signal);
    interrupts.close();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    let called = false;
    interrupts.subscribe(() => (called = true));
    expect(called).toBe(true);
  });

  it('without a signal nothing is ever interrupted', () => {
    const interrupts = new Interrupts(undefined);
    let called = false;
    interrupts.subscribe(() => (called = true));
    expect([interrupts.aborted, called]).toEqual([false, false]);
  });
});

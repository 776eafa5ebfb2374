import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('never lets more than the permits run at once', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      const release = await sem.acquire();
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      release();
    };
    await Promise.all(Array.from({ length: 7 }, task));
    expect(peak).toBe(2);
  });

  it('ignores a second release', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    release();
    release();
    const a = await sem.acquire();
    let second = false;
    void sem.acquire().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    a();
  });
});

describe('Semaphore units', () => {
  it('serves a front waiter before those already waiting, and in order otherwise', async () => {
    const sem = new Semaphore(4);
    const held = await Promise.all([sem.acquire(), sem.acquire(), sem.acquire(), sem.acquire()]);
    const order: string[] = [];
    void sem.acquire().then(() => order.push('light-1'));
    void sem.acquire().then(() => order.push('light-2'));
    void sem.acquire(3, { front: true }).then(() => order.push('grow'));
    for (const release of held.slice(0, 3)) release();
    await new Promise((r) => setTimeout(r, 5));
    // three units freed: the chain that grows gets them first, the light ones wait for more
    expect(order).toEqual(['grow']);
    held[3]?.();
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['grow', 'light-1']);
  });

  it('never lets the units in use pass the permits', async () => {
    const sem = new Semaphore(4);
    let inUse = 0;
    let peak = 0;
    const task = async (units: number): Promise<void> => {
      const release = await sem.acquire(units);
      inUse += units;
      peak = Math.max(peak, inUse);
      await new Promise((r) => setTimeout(r, 2));
      inUse -= units;
      release();
    };
    await Promise.all([1, 3, 2, 4, 1, 1, 2, 3].map(task));
    expect(peak).toBeLessThanOrEqual(4);
  });
});

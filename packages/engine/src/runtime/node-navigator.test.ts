import { afterEach, describe, expect, it } from 'vitest';
import { defineNodeNavigator } from './node-navigator.js';

describe('defineNodeNavigator', () => {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  afterEach(() => {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('defines a Node.js navigator only where there is none, and not when off', () => {
    delete (globalThis as { navigator?: unknown }).navigator;
    expect(defineNodeNavigator(false)).toBe(false);
    expect(typeof (globalThis as { navigator?: unknown }).navigator).toBe('undefined');
    expect(defineNodeNavigator(true)).toBe(true);
    expect((globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent).toMatch(
      /^Node\.js\/\d+$/,
    );
    // already there (Node 21+, or defined before): left alone
    expect(defineNodeNavigator(true)).toBe(false);
  });
});

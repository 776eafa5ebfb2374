import { describe, expect, it } from 'vitest';
import { faultInjector, parseTestFault, TestFaultFired } from './fault-injector.js';

describe('test-only fault switches', () => {
  it('delay-hub-restart:<ms> sets the pause before a hub restart; anything else leaves it unset', () => {
    expect(parseTestFault('delay-hub-restart:4000').delayHubRestartMs).toBe(4000);
    expect(parseTestFault(undefined)).toEqual({});
    expect(parseTestFault('pause-after-shard-plan:4000')).toEqual({ pauseAfterShardPlanMs: 4000 });
    expect(parseTestFault('delay-hub-restart:')).toEqual({});
    expect(parseTestFault('delay-hub-restart:4000').pauseAfterShardPlanMs).toBeUndefined();
  });

  it('exit faults count down and call exit at the n-th call (throw without one)', () => {
    let exits = 0;
    const after = faultInjector({ ...parseTestFault('exit-after-commit:2'), exit: () => void exits++ });
    after();
    expect(exits).toBe(0);
    after();
    expect(exits).toBe(1);
    expect(parseTestFault('exit-on-commit:3')).toEqual({ exitOnCommit: 3 });
    expect(parseTestFault('exit-after-dead-letters:1')).toEqual({ exitAfterDeadLetters: 1 });
    expect(() => faultInjector(parseTestFault('exit-after-commit:1'))()).toThrow(TestFaultFired);
    expect(() => faultInjector(undefined)()).not.toThrow();
  });
});

describe('stall faults', () => {
  it('parse a stream name (dots included) and a count', () => {
    expect(parseTestFault('mute-hub-stream:public.ev:2').muteHubStream).toEqual({ stream: 'public.ev', attaches: 2 });
    expect(parseTestFault('block-source:public.t:1').blockSource).toEqual({ stream: 'public.t', attempts: 1 });
    expect(parseTestFault('block-source:public.t:1').muteHubStream).toBeUndefined();
    expect(parseTestFault(undefined).blockSource).toBeUndefined();
    expect(parseTestFault('hold-source-after-commits:public.t:2').holdSourceAfterCommits).toEqual({
      stream: 'public.t',
      commits: 2,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { blockSourceFault, hubMuteFault, hubRestartDelayMs, shardPlanPauseMs } from './fault-injector.js';

describe('test-only fault switches', () => {
  it('delay-hub-restart:<ms> sets the pause before a hub restart; anything else leaves it at 0', () => {
    expect(hubRestartDelayMs({ RAPIDBYTE_TEST_FAULT: 'delay-hub-restart:4000' })).toBe(4000);
    expect(hubRestartDelayMs({})).toBe(0);
    expect(hubRestartDelayMs({ RAPIDBYTE_TEST_FAULT: 'pause-after-shard-plan:4000' })).toBe(0);
    expect(hubRestartDelayMs({ RAPIDBYTE_TEST_FAULT: 'delay-hub-restart:' })).toBe(0);
    expect(shardPlanPauseMs({ RAPIDBYTE_TEST_FAULT: 'delay-hub-restart:4000' })).toBe(0);
  });
});

describe('stall faults', () => {
  it('parse a stream name (dots included) and a count', () => {
    expect(hubMuteFault({ RAPIDBYTE_TEST_FAULT: 'mute-hub-stream:public.ev:2' })).toEqual({ stream: 'public.ev', attaches: 2 });
    expect(blockSourceFault({ RAPIDBYTE_TEST_FAULT: 'block-source:public.t:1' })).toEqual({ stream: 'public.t', attempts: 1 });
    expect(hubMuteFault({ RAPIDBYTE_TEST_FAULT: 'block-source:public.t:1' })).toBeUndefined();
    expect(blockSourceFault({})).toBeUndefined();
  });
});

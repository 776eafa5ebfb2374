import { describe, expect, it } from 'vitest';
import { planDependent } from './plan-dependent.js';
import { planTick } from './plan-tick.js';
import { isLoopbackHost, parseListenAddress } from './listen-address.js';
import { tickWorkflowId, triggerWorkflowId } from './tick-workflow-id.js';

describe('planTick', () => {
  it('starts a run when nothing runs', () => {
    expect(planTick({ paused: false, queued: false, overlap: 'skip' })).toEqual({ action: 'start' });
    expect(planTick({ paused: false, queued: false, overlap: 'queue_one' })).toEqual({ action: 'start' });
  });
  it('skip: a tick that finds a run is dropped, naming the run', () => {
    expect(planTick({ paused: false, running: { runId: 7 }, queued: false, overlap: 'skip' })).toEqual({
      action: 'skip',
      outcome: 'skipped-overlap',
      reason: 'run 7 is still running (overlap: skip)',
    });
    expect(planTick({ paused: false, running: {}, queued: false, overlap: 'skip' })).toMatchObject({
      reason: 'its previous run is still running (overlap: skip)',
    });
  });
  it('queue_one: the first tick behind a run waits, every later one is dropped', () => {
    expect(planTick({ paused: false, running: { runId: 7 }, queued: false, overlap: 'queue_one' })).toEqual({
      action: 'queue',
    });
    expect(planTick({ paused: false, running: { runId: 7 }, queued: true, overlap: 'queue_one' })).toEqual({
      action: 'skip',
      outcome: 'skipped-overlap',
      reason: 'run 7 is still running and a tick already waits behind it (overlap: queue_one)',
    });
  });
  it('a paused pipeline skips every tick, running or not', () => {
    for (const running of [undefined, { runId: 1 }]) {
      expect(
        planTick({ paused: true, ...(running && { running }), queued: false, overlap: 'queue_one' }),
      ).toMatchObject({ action: 'skip', outcome: 'skipped-paused' });
    }
  });
});

describe('planDependent', () => {
  const success = [{ pipeline: 'a', on: 'success' as const }];
  it('waits until every upstream ended', () => {
    expect(
      planDependent(
        [...success, { pipeline: 'b', on: 'completion' }],
        new Map([['a', { runId: 1, status: 'succeeded' as const }]]),
      ),
    ).toEqual({ action: 'wait' });
  });
  it('starts after the upstream succeeded, naming the run', () => {
    expect(planDependent(success, new Map([['a', { runId: 1, status: 'succeeded' as const }]]))).toEqual({
      action: 'start',
      reason: 'after a run 1 ended succeeded',
    });
  });
  it('on: success skips after a failed, partial or cancelled upstream run, naming it and the condition', () => {
    for (const status of ['failed', 'partial', 'cancelled', 'interrupted'] as const) {
      expect(planDependent(success, new Map([['a', { runId: 3, status }]]))).toEqual({
        action: 'skip',
        reason: `upstream a run 3 ended ${status} (depends_on on: success)`,
      });
    }
    expect(planDependent(success, new Map([['a', { status: 'not-started' as const }]]))).toEqual({
      action: 'skip',
      reason: 'upstream a run did not start (depends_on on: success)',
    });
  });
  it('on: completion starts after any finished upstream run, but not after one that never started', () => {
    const completion = [{ pipeline: 'a', on: 'completion' as const }];
    expect(planDependent(completion, new Map([['a', { runId: 3, status: 'failed' as const }]]))).toMatchObject({
      action: 'start',
    });
    expect(planDependent(completion, new Map([['a', { status: 'not-started' as const }]]))).toMatchObject({
      action: 'skip',
    });
  });
});

describe('listen addresses and workflow ids', () => {
  it('parses host:port and tells loopback hosts', () => {
    expect(parseListenAddress('127.0.0.1:7878')).toEqual({ host: '127.0.0.1', port: 7878 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListenAddress('7878')).toHaveProperty('problem');
    expect(parseListenAddress('host:99999')).toHaveProperty('problem');
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
  it('a tick has one workflow id whoever computes it; a trigger never shares it', () => {
    const at = new Date('2026-03-29T01:00:00Z');
    expect(tickWorkflowId('orders', at)).toBe('orders@2026-03-29T01:00:00.000Z');
    expect(tickWorkflowId('orders', new Date(at.getTime()))).toBe(tickWorkflowId('orders', at));
    expect(triggerWorkflowId('orders', at, 'ab12')).toBe('orders@trigger:2026-03-29T01:00:00.000Z:ab12');
  });
});

describe('CDC follower restarts', () => {
  it('wait 1 s, then double up to a minute', async () => {
    const { FOLLOW_BACKOFF_MS, nextFollowDelay } = await import('./scheduler.js');
    const delays = [FOLLOW_BACKOFF_MS.first as number];
    while (delays.length < 9) delays.push(nextFollowDelay(delays[delays.length - 1] as number));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
});

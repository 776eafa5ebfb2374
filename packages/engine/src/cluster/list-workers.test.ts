import { describe, expect, it } from 'vitest';
import { formatWorkers, type WorkerView } from './list-workers.js';

const worker = (overrides: Partial<WorkerView>): WorkerView => ({
  workerId: 'w1',
  host: 'etl-1',
  pid: 100,
  status: 'live',
  slots: 2,
  version: 'rapidbyte-0.1.0',
  startedAt: '2026-01-01T00:00:00.000Z',
  lastHeartbeat: '2026-01-01T00:01:00.000Z',
  heartbeatAgeSeconds: 0.4,
  chains: [],
  ...overrides,
});

describe('formatWorkers', () => {
  it('shows each worker with its status, slots, running chains and heartbeat age; a lost one says why', () => {
    const text = formatWorkers([
      worker({ chains: ['chain:p:7:public.a', 'chain:p:7:public.b#2/4'] }),
      worker({
        workerId: 'w2',
        host: 'etl-2',
        pid: 200,
        status: 'lost',
        heartbeatAgeSeconds: 12.5,
        lostReason: 'its lease session ended',
      }),
    ]);
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^WORKER\s+STATUS\s+SLOTS\s+RUNNING\s+HEARTBEAT\s+HOST\/PID\s+CHAINS$/);
    expect(first).toMatch(
      /^w1\s+live\s+2\s+2\s+0\.4s ago\s+etl-1\/100\s+chain:p:7:public\.a, chain:p:7:public\.b#2\/4$/,
    );
    expect(second).toMatch(/^w2\s+lost\s+2\s+0\s+12\.5s ago\s+etl-2\/200\s+its lease session ended$/);
  });

  it('says so when no worker has joined', () => {
    expect(formatWorkers([])).toBe('no workers have joined this cluster');
  });
});

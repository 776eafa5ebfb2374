import { describe, expect, it } from 'vitest';
import type { FrameItem } from '@rapidbyte/sdk';
import { loadByCheckpoint, type IntervalLoad, type IntervalTarget } from '../src/checkpoint-intervals.js';

type Input = { frame: number } | { marker: string };

/** Runs the driver over `items` (first frame and early markers taken as `readFirstFrame` would) and records its calls. */
function run(
  items: readonly Input[],
  bad?: ReadonlySet<number>,
  isolate?: 'plain' | 'from-start',
): { events: string[]; load: IntervalLoad } {
  const early: string[] = [];
  let i = 0;
  for (; i < items.length && 'marker' in items[i]; i++) early.push((items[i] as { marker: string }).marker);
  const first = i < items.length ? (items[i++] as { frame: number }).frame : undefined;
  const rest = items.slice(i);
  const events: string[] = [];
  let rowsInTx = 0;
  const target: IntervalTarget = {
    *next(): Generator<never, FrameItem> {
      const item = rest.shift();
      if (!item) return { kind: 'end', rows: 0n };
      return 'frame' in item
        ? { kind: 'frame', frame: BigInt(item.frame) }
        : { kind: 'checkpoint', payload: item.marker };
    },
    *begin() {
      events.push('BEGIN');
    },
    *open() {
      events.push('open');
    },
    *write(frame) {
      events.push(`write ${frame}`);
      rowsInTx += Number(frame);
      if (bad?.has(Number(frame))) throw Object.assign(new Error('rejected'), { rejected: true });
    },
    *close() {
      events.push('close');
      const rows = rowsInTx;
      rowsInTx = 0;
      return rows;
    },
    *commit(payload, beforeCommit) {
      if (beforeCommit) yield* beforeCommit();
      events.push(payload === undefined ? 'COMMIT' : `COMMIT ${payload}`);
    },
    committed(payload) {
      events.push(`committed ${payload}`);
    },
    // isolation: a plain write of a bad frame is rejected; `fromStart` loads each frame isolated (one row less when bad)
    ...(isolate && {
      isolation: {
        fromStart: isolate === 'from-start',
        rejects: (e: unknown) => (e as { rejected?: boolean }).rejected === true,
        retry: () => Object.assign(new Error('ROWS_REJECTED'), { code: 'ROWS_REJECTED' }),
        *start() {
          events.push('start');
        },
        *load(frame: bigint) {
          const n = Number(frame);
          events.push(`isolate ${n}`);
          return bad?.has(n) ? n - 1 : n;
        },
        release: (frame: bigint) => void events.push(`release ${frame}`),
        *beforeCommit() {
          events.push('flush');
        },
      },
    }),
  };
  const step = loadByCheckpoint(target, early, first === undefined ? undefined : BigInt(first)).next();
  if (!step.done) throw new Error('the fake target never yields');
  return { events, load: step.value };
}

describe('loadByCheckpoint', () => {
  it('commits each interval with its marker, then reports it', () => {
    const { events, load } = run([{ frame: 2 }, { frame: 3 }, { marker: 'a' }, { frame: 4 }, { marker: 'b' }]);
    expect(events).toEqual([
      'BEGIN',
      'open',
      'write 2',
      'write 3',
      'close',
      'COMMIT a',
      'committed a',
      'BEGIN',
      'open',
      'write 4',
      'close',
      'COMMIT b',
      'committed b',
    ]);
    expect(load).toEqual({ rows: 9, frames: 3, commits: 2 });
  });

  it('commits frames after the last marker at the end without a watermark', () => {
    const { events, load } = run([{ frame: 1 }, { marker: 'a' }, { frame: 5 }]);
    expect(events).toEqual([
      'BEGIN',
      'open',
      'write 1',
      'close',
      'COMMIT a',
      'committed a',
      'BEGIN',
      'open',
      'write 5',
      'close',
      'COMMIT',
    ]);
    expect(load).toEqual({ rows: 6, frames: 2, commits: 2 });
  });

  it('commits only the watermark for markers with no frames before them (between markers, before the first frame)', () => {
    const { events } = run([{ marker: 'a' }, { marker: 'b' }, { frame: 1 }, { marker: 'c' }, { marker: 'd' }]);
    expect(events).toEqual([
      'BEGIN',
      'COMMIT a',
      'committed a',
      'BEGIN',
      'COMMIT b',
      'committed b',
      'BEGIN',
      'open',
      'write 1',
      'close',
      'COMMIT c',
      'committed c',
      'BEGIN',
      'COMMIT d',
      'committed d',
    ]);
  });

  it('commits the final marker of an empty stream', () => {
    const { events, load } = run([{ marker: 'final' }]);
    expect(events).toEqual(['BEGIN', 'COMMIT final', 'committed final']);
    expect(load).toEqual({ rows: 0, frames: 0, commits: 1 });
  });

  it('does nothing for a stream without frames or markers', () => {
    expect(run([])).toEqual({ events: [], load: { rows: 0, frames: 0, commits: 0 } });
  });

  it('loads a stream without markers in one transaction', () => {
    const { events, load } = run([{ frame: 1 }, { frame: 0 }, { frame: 2 }]);
    expect(events).toEqual(['BEGIN', 'open', 'write 1', 'write 0', 'write 2', 'close', 'COMMIT']);
    expect(load).toEqual({ rows: 3, frames: 3, commits: 1 });
  });

  it('a plain attempt that meets a rejected row throws the isolation retry error (nothing of the interval committed)', () => {
    expect(() => run([{ frame: 2 }, { frame: 3 }, { marker: 'a' }], new Set([3]), 'plain')).toThrow('ROWS_REJECTED');
  });

  it('from the start, every frame loads isolated and each interval waits for its dead letters before COMMIT', () => {
    const { events, load } = run(
      [{ frame: 2 }, { frame: 3 }, { marker: 'a' }, { frame: 5 }, { marker: 'b' }],
      new Set([3]),
      'from-start',
    );
    expect(events).toEqual([
      'BEGIN',
      'start',
      'isolate 2',
      'release 2',
      'isolate 3',
      'release 3',
      'flush',
      'COMMIT a',
      'committed a',
      'BEGIN',
      'start',
      'isolate 5',
      'release 5',
      'flush',
      'COMMIT b',
      'committed b',
    ]);
    expect(load).toEqual({ rows: 2 + 2 + 5, frames: 3, commits: 2 });
  });
});

import { describe, expect, it } from 'vitest';
import { makeData, RecordBatch, Schema, Struct, Field, Int32 } from 'apache-arrow';
import { FrameChannel } from './frame-channel.js';

function batch(rows: number): RecordBatch {
  const schema = new Schema([new Field('a', new Int32(), false)]);
  const child = makeData({ type: new Int32(), length: rows, data: new Int32Array(rows) });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, children: [child] }));
}

describe('FrameChannel', () => {
  it('keeps frames, zero-row frames and checkpoint markers in order', async () => {
    const ch = new FrameChannel(8);
    ch.push({ kind: 'frame', batch: batch(3) });
    ch.push({ kind: 'frame', batch: batch(0) });
    ch.push({ kind: 'checkpoint', payload: '{"n":1}' });
    ch.push({ kind: 'end' });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const item = await ch.next();
      seen.push(item.kind === 'frame' ? item.batch.numRows : item.kind);
    }
    expect(seen).toEqual([3, 0, 'checkpoint', 'end']);
  });

  it('makes the producer wait while full and resumes it when the consumer takes', async () => {
    const ch = new FrameChannel(2);
    ch.push({ kind: 'frame', batch: batch(1) });
    ch.push({ kind: 'frame', batch: batch(1) });
    let ready = false;
    const waiting = ch.ready().then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(ready).toBe(false);
    await ch.next();
    await waiting;
    expect(ready).toBe(true);
  });

  it('wakes a waiting consumer when an item arrives', async () => {
    const ch = new FrameChannel(1);
    const next = ch.next();
    setTimeout(() => ch.push({ kind: 'end' }), 5);
    await expect(next).resolves.toEqual({ kind: 'end' });
  });

  it('fails both ends with the first error', async () => {
    const ch = new FrameChannel(1);
    ch.push({ kind: 'end' });
    const producer = ch.ready();
    const first = new Error('destination died');
    ch.fail(first);
    ch.fail(new Error('second'));
    await expect(producer).rejects.toBe(first);
    await expect(ch.next()).rejects.toBe(first);
    expect(() => ch.push({ kind: 'end' })).toThrow('destination died');
  });
});

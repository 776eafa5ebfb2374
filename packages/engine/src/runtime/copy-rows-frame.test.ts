import { Schema } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder, CopyBinaryEncoder, pgColumnToArrowField, type PgColumn } from '../codecs/index.js';
import { CopyRowSplitter } from '../codecs/copy-row-splitter.js';
import { ALL_TYPES_COLUMNS, allTypesStream } from '../codecs/test-support/all-types-fixture.js';
import { CopyRowsFrame, frameBatch } from './copy-rows-frame.js';
import { FrameTable } from './frame-table.js';

function framesOf(columns: readonly PgColumn[], stream: Uint8Array, batchRows = 65536): CopyRowsFrame[] {
  const splitter = new CopyRowSplitter({ fieldCount: columns.length, batchRows });
  const schema = new Schema(
    columns.map((c) => pgColumnToArrowField(c)),
    new Map([['rapidbyte.source_stream', 'public.t']]),
  );
  return [...splitter.push(stream), ...splitter.finish()].map(
    (c) => new CopyRowsFrame(schema, columns, c.rows, c.bytes),
  );
}

describe('CopyRowsFrame', () => {
  it('decodes to the batch the decoder makes from the whole stream, with the source metadata', () => {
    const stream = allTypesStream();
    const [frame] = framesOf(ALL_TYPES_COLUMNS, stream);
    const decoder = new CopyBinaryDecoder(ALL_TYPES_COLUMNS);
    const [expected] = [...decoder.push(stream), ...decoder.finish()];
    const batch = frame!.toBatch();
    expect(batch.numRows).toBe(expected!.numRows);
    const encoder = new CopyBinaryEncoder(ALL_TYPES_COLUMNS);
    expect(Buffer.from(encoder.encode(batch)).toString('hex')).toBe(
      Buffer.from(encoder.encode(expected!)).toString('hex'),
    );
    expect(batch.schema.metadata.get('rapidbyte.source_stream')).toBe('public.t');
    expect(frame!.toBatch()).toBe(batch); // decoded once
  });

  it('re-encoding the decoded batch gives back the rows byte for byte (what passthrough skips)', () => {
    const stream = allTypesStream();
    const frames = framesOf(ALL_TYPES_COLUMNS, stream, 2);
    const encoder = new CopyBinaryEncoder(ALL_TYPES_COLUMNS);
    for (const f of frames) expect(Buffer.from(encoder.encode(f.toBatch())).equals(Buffer.from(f.rows))).toBe(true);
  });

  it('a zero-row frame decodes to an empty batch of the schema', () => {
    const columns: PgColumn[] = [{ name: 'id', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: false }];
    const empty = Uint8Array.from([...allTypesStream([]).subarray(0, 19), 0xff, 0xff]);
    const [frame] = framesOf(columns, empty);
    expect(frame!.numRows).toBe(0);
    expect(frameBatch(frame!).numRows).toBe(0);
    expect(frameBatch(frame!).schema.fields.map((f) => f.name)).toEqual(['id']);
  });

  it('passes through only into the same built-in types in the same order', () => {
    const int4: PgColumn = { name: 'a', typeName: 'integer', typeOid: 23, typeCategory: 'N', nullable: false };
    const text: PgColumn = { name: 'b', typeName: 'text', typeOid: 25, typeCategory: 'S', nullable: true };
    const frame = new CopyRowsFrame(new Schema([]), [int4, text], 0, new Uint8Array(0));
    expect(frame.passesThrough([int4, { ...text, name: 'renamed', nullable: false }])).toBe(true);
    expect(frame.passesThrough([text, int4])).toBe(false);
    expect(frame.passesThrough([int4])).toBe(false);
    expect(frame.passesThrough([{ ...int4, typeName: 'bigint', typeOid: 20 }, text])).toBe(false);
    const numeric: PgColumn = {
      name: 'n',
      typeName: 'numeric(12,2)',
      typeOid: 1700,
      typeCategory: 'N',
      nullable: true,
    };
    const wider = new CopyRowsFrame(new Schema([]), [numeric], 0, new Uint8Array(0));
    expect(wider.passesThrough([{ ...numeric, typeName: 'numeric(14,2)' }])).toBe(false);
    const mood: PgColumn = { name: 'm', typeName: 'public.mood', typeOid: 16390, typeCategory: 'E', nullable: true };
    expect(new CopyRowsFrame(new Schema([]), [mood], 0, new Uint8Array(0)).passesThrough([mood])).toBe(false);
  });

  it('the frame table keeps COPY rows undecoded until get() asks for values', () => {
    const table = new FrameTable();
    const [frame] = framesOf(ALL_TYPES_COLUMNS, allTypesStream());
    const handle = table.add(frame!);
    expect(table.frame(handle)).toBe(frame);
    expect(table.get(handle).numRows).toBe(frame!.numRows);
    expect(table.take(handle)).toBe(frame);
    expect(() => table.get(handle)).toThrow(/unknown frame handle/);
  });
});

import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { CopyBinaryDecoder, CopyBinaryEncoder } from '../codecs/index.js';
import { ALL_TYPES_COLUMNS, ALL_TYPES_ROWS, allTypesStream } from '../codecs/test-support/all-types-fixture.js';
import { CDC_OP_COLUMN, CDC_UNCHANGED_COLUMN } from '@rapidbyte/sdk/contract';
import { ChangeBatchBuilder, type ChangeBatchMode } from './change-batch-builder.js';
import { parsePgOutput } from './pgoutput-message.js';
import type { InsertMessage, RelationMessage, UpdateMessage } from './pgoutput-types.js';
import { pgo, type TupleSpec } from './test-support/pgoutput-builder.js';

const REL = 20001;
const ENUM_OID = 16500;

/** The snapshot path's batch for the fixture: what the change frame's stream columns must equal. */
function snapshotBatch(): RecordBatch {
  const d = new CopyBinaryDecoder(ALL_TYPES_COLUMNS.map((c) => ({ ...c, nullable: true })));
  return [...d.push(allTypesStream()), ...d.finish()][0] as RecordBatch;
}

function allTypesBuilder(mode: ChangeBatchMode, key: string[]): ChangeBatchBuilder {
  const b = new ChangeBatchBuilder({
    stream: 'public.all_types',
    columns: ALL_TYPES_COLUMNS,
    key,
    mode,
    batchRows: 1000,
    maxBatchBytes: 1 << 24,
    metadata: [],
  });
  b.relation(
    parsePgOutput(
      pgo.relation(
        REL,
        'public',
        'all_types',
        ALL_TYPES_COLUMNS.map((c) => ({ name: c.name, typeOid: c.typeOid })),
      ),
    ) as RelationMessage,
  );
  return b;
}

const tuple = (row: readonly (Uint8Array | null)[]): TupleSpec => row;
const encode = (batch: RecordBatch) =>
  Buffer.from(new CopyBinaryEncoder(ALL_TYPES_COLUMNS).encode(batch)).toString('hex');

function expectSameAsSnapshot(frame: RecordBatch, snapshot: RecordBatch): void {
  expect(frame.numRows).toBe(snapshot.numRows);
  ALL_TYPES_COLUMNS.forEach((c, i) => {
    const f = frame.schema.fields[i]!;
    const s = snapshot.schema.fields[i]!;
    expect(f.name).toBe(c.name);
    expect(String(f.type)).toBe(String(s.type));
    expect([...f.metadata]).toEqual([...s.metadata]);
    expect(f.nullable).toBe(true);
  });
  expect(encode(frame)).toBe(encode(snapshot));
  // values read back directly too (timestamps at ±infinity are compared through the encoding only: Arrow's getter can't convert them)
  for (const c of [
    'c_int8',
    'c_float8',
    'c_text',
    'c_bytea',
    'c_num',
    'c_num_free',
    'c_enum',
    'c_jsonb',
    'c_int4_arr',
    'c_inet',
  ]) {
    const fv = frame.getChild(c)!;
    const sv = snapshot.getChild(c)!;
    for (let r = 0; r < snapshot.numRows; r++) expect(fv.get(r), `${c} row ${r}`).toEqual(sv.get(r));
  }
  const tstz = (b: RecordBatch) => [...(b.getChild('c_tstz')!.data[0]!.values as BigInt64Array).subarray(0, b.numRows)];
  expect(tstz(frame)).toEqual(tstz(snapshot));
}

describe('ChangeBatchBuilder type fidelity', () => {
  it('every fixture type round-trips exactly like the snapshot decoder (append inserts)', () => {
    expect(ALL_TYPES_COLUMNS.some((c) => c.typeOid === ENUM_OID)).toBe(true);
    const b = allTypesBuilder('append', []);
    ALL_TYPES_ROWS.forEach((row, i) =>
      b.insert(parsePgOutput(pgo.insert(REL, tuple(row))) as InsertMessage, BigInt(i + 1)),
    );
    const frame = b.flush()!;
    expectSameAsSnapshot(frame, snapshotBatch());
    expect([...frame.getChild(CDC_OP_COLUMN)!]).toEqual(ALL_TYPES_ROWS.map(() => 'I'));
  });

  it('values merged into unchanged TOAST columns keep every type exact (upsert)', () => {
    const keyed = ALL_TYPES_ROWS.map((row, i) => ({ row, i })).filter(({ row }) => row[1] !== null);
    const b = allTypesBuilder('upsert', ['c_int4']);
    for (const { row } of keyed) b.insert(parsePgOutput(pgo.insert(REL, tuple(row))) as InsertMessage, 1n);
    for (const { row } of keyed) {
      const update = row.map((v, c) => (c === 1 ? v : ('u' as const)));
      b.update(parsePgOutput(pgo.update(REL, update)) as UpdateMessage, 2n);
    }
    const frame = b.flush()!;
    const d = new CopyBinaryDecoder(ALL_TYPES_COLUMNS.map((c) => ({ ...c, nullable: true })));
    const keyedSnapshot = [...d.push(allTypesStream(keyed.map(({ row }) => row))), ...d.finish()][0] as RecordBatch;
    expectSameAsSnapshot(frame, keyedSnapshot);
    expect([...frame.getChild(CDC_OP_COLUMN)!]).toEqual(keyed.map(() => 'U'));
    expect([...frame.getChild(CDC_UNCHANGED_COLUMN)!]).toEqual(keyed.map(() => null));
  });
});

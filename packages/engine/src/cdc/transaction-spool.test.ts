import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SpoolSet } from './transaction-spool.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-spool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const msg = (text: string): Buffer => Buffer.from(text, 'utf8');
/** Each message as text, taken as it comes (a message read from the file is valid until the next one). */
const texts = (messages: Iterable<Buffer>): string[] => Array.from(messages, (m) => m.toString('utf8'));

describe('TransactionSpool', () => {
  it('keeps changes in order, Relation messages before the changes that followed them', () => {
    const set = new SpoolSet(1 << 20, dir);
    const spool = set.open(10);
    spool.appendRelation(msg('R1'));
    spool.append(10, msg('a'));
    spool.append(10, msg('b'));
    spool.appendRelation(msg('R2'));
    spool.append(11, msg('c'));
    expect(texts(spool.messages())).toEqual(['R1', 'a', 'b', 'R2', 'c']);
    expect(spool.changes).toBe(3);
    expect(spool.fileBytes).toBe(0);
    // one block holds them: the block is what counts
    expect(set.memoryBytes).toBe(64 * 1024);
    set.discard(10);
    expect(set.memoryBytes).toBe(0);
  });

  it('past the memory bound the largest spool goes to disk; replay reads it back in order', () => {
    const set = new SpoolSet(200_000, dir);
    const big = set.open(1);
    const small = set.open(2);
    small.append(2, msg('small'));
    const expected: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const text = `row ${i} ${'x'.repeat(i % 37)}`;
      big.append(1, msg(text));
      expected.push(text);
    }
    expect(big.fileBytes).toBeGreaterThan(0);
    // the bound, give or take one block
    expect(set.memoryBytes).toBeLessThanOrEqual(200_000 + 1024 * 1024);
    expect(set.spilledBytes).toBe(big.fileBytes);
    expect(small.fileBytes).toBe(0);
    expect(texts(big.messages())).toEqual(expected);
    expect(texts(small.messages())).toEqual(['small']);
    // the file is unlinked at once: a killed process leaves nothing in the spool folder
    expect(readdirSync(dir)).toEqual([]);
    set.clear();
    expect(set.size).toBe(0);
    expect(set.memoryBytes).toBe(0);
  });

  it('reads back a record larger than its read buffer', () => {
    const set = new SpoolSet(16, dir);
    const spool = set.open(1);
    const large = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    spool.append(1, msg('before'));
    spool.append(1, large);
    spool.append(1, msg('after'));
    expect(spool.fileBytes).toBeGreaterThan(large.length);
    const out = Array.from(spool.messages(), (m) => Buffer.from(m));
    expect(out.map((m) => m.length)).toEqual([6, large.length, 5]);
    expect(out[1]?.equals(large)).toBe(true);
    set.clear();
  });

  it("a subtransaction's abort drops its changes and its own subtransactions', keeps Relation messages", () => {
    for (const limit of [1 << 20, 1]) {
      // in memory, then (limit 1) every change on disk
      const set = new SpoolSet(limit, dir);
      const spool = set.open(100);
      spool.append(100, msg('top-1'));
      spool.append(101, msg('sub-1')); // SAVEPOINT a
      spool.appendRelation(msg('R'));
      spool.append(102, msg('subsub-1')); // SAVEPOINT b inside a
      spool.append(101, msg('sub-2'));
      spool.abortSubtransaction(101); // ROLLBACK TO a
      spool.append(100, msg('top-2'));
      spool.append(103, msg('sub3-1'));
      spool.abortSubtransaction(999); // never had changes here: nothing
      expect(texts(spool.messages()), `limit ${limit}`).toEqual(['top-1', 'R', 'top-2', 'sub3-1']);
      expect(spool.changes).toBe(3);
      spool.abortSubtransaction(103);
      expect(texts(spool.messages())).toEqual(['top-1', 'R', 'top-2']);
      expect(spool.changes).toBe(2);
      set.clear();
      expect(set.memoryBytes).toBe(0);
    }
  });

  it('abort of a subtransaction that began on disk drops the memory part too', () => {
    const set = new SpoolSet(20, dir);
    const spool = set.open(1);
    spool.append(1, msg('keep'));
    spool.append(2, msg('drop-1-on-disk'));
    spool.append(2, msg('drop-2'));
    spool.append(3, msg('drop-3'));
    expect(spool.fileBytes).toBeGreaterThan(0);
    spool.abortSubtransaction(2);
    expect(texts(spool.messages())).toEqual(['keep']);
    expect(set.memoryBytes).toBe(spool.memoryBytes);
    spool.append(3, msg('again'));
    expect(texts(spool.messages())).toEqual(['keep', 'again']);
    set.clear();
  });

  it('matches a model under any appends, Relation messages and subtransaction aborts (property)', () => {
    type Op =
      | { readonly op: 'append'; readonly sub: number; readonly size: number }
      | { readonly op: 'relation' }
      | { readonly op: 'abort'; readonly sub: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ op: fc.constant('append' as const), sub: fc.nat(4), size: fc.nat(40) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('relation' as const) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('abort' as const), sub: fc.nat(4) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.constantFrom(1, 50, 200, 1 << 20), (ops, limit) => {
        // blocks of 64 and 128 bytes: records land in memory and on disk in turn, aborts cut either part
        const set = new SpoolSet(limit, dir, { first: 64, next: 128 });
        const spool = set.open(0);
        const changes: { sub: number; text: string }[] = [];
        const relations: { at: number; text: string }[] = [];
        ops.forEach((o, i) => {
          if (o.op === 'append') {
            const text = `${i}:${o.sub}:${'y'.repeat(o.size)}`;
            spool.append(o.sub, msg(text));
            changes.push({ sub: o.sub, text });
          } else if (o.op === 'relation') {
            spool.appendRelation(msg(`R${i}`));
            relations.push({ at: changes.length, text: `R${i}` });
          } else {
            spool.abortSubtransaction(o.sub);
            const first = changes.findIndex((c) => c.sub === o.sub);
            if (first >= 0) {
              changes.splice(first);
              for (const r of relations) if (r.at > first) r.at = first;
            }
          }
        });
        const expected: string[] = [];
        let r = 0;
        changes.forEach((c, i) => {
          for (; r < relations.length && (relations[r] as { at: number }).at <= i; r++)
            expected.push((relations[r] as { text: string }).text);
          expected.push(c.text);
        });
        for (; r < relations.length; r++) expected.push((relations[r] as { text: string }).text);
        expect(texts(spool.messages())).toEqual(expected);
        expect(spool.changes).toBe(changes.length);
        set.clear();
        expect(set.memoryBytes).toBe(0);
      }),
      { seed: 0x5b001, numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from './delivery-ledger.js';

const marker = (n: number): string => JSON.stringify({ mode: 'full_refresh', pkAfter: [String(n)] });

describe('DeliveryLedger', () => {
  it('counts the rows before each committed marker; rows after the last commit are uncommitted', () => {
    const d = new DeliveryLedger();
    d.frame(600);
    d.frame(400);
    d.marker(marker(1000));
    d.committed(marker(1000), 5_000);
    d.frame(700);
    expect(d.counts).toEqual({ rowsCommitted: 1000, bytesCommitted: 5_000, rowsUncommitted: 700 });
  });

  it('matches a marker reported re-serialised, and one report covers the markers before it', () => {
    const d = new DeliveryLedger();
    d.marker('{"lsn":"0/1"}');
    d.frame(3);
    d.marker('{"lsn":"0/2"}');
    d.frame(4);
    d.marker('{ "lsn": "0/3" }');
    d.committed('{"lsn":"0/3"}', 70);
    expect(d.counts).toEqual({ rowsCommitted: 7, bytesCommitted: 70, rowsUncommitted: 0 });
    d.frame(5);
    d.marker('{"lsn":"0/4"}');
    d.committed('{"lsn":"0/4"}', 120);
    expect(d.counts.rowsCommitted).toBe(12);
  });

  it('rejected rows are neither committed nor uncommitted', () => {
    const d = new DeliveryLedger();
    d.frame(100);
    d.rejected(3);
    d.marker(marker(100));
    d.committed(marker(100), 1);
    expect(d.counts).toEqual({ rowsCommitted: 97, bytesCommitted: 1, rowsUncommitted: 0 });
  });

  it('a clean end takes the destination its own count (rows after the last marker committed, or rolled back)', () => {
    const d = new DeliveryLedger();
    d.frame(10);
    d.marker(marker(10));
    d.committed(marker(10), 1);
    d.frame(5);
    d.finished(15, 2);
    expect(d.counts).toEqual({ rowsCommitted: 15, bytesCommitted: 2, rowsUncommitted: 0 });
    const cdc = new DeliveryLedger();
    cdc.frame(10);
    cdc.marker(marker(10));
    cdc.committed(marker(10), 1);
    cdc.frame(5); // an incomplete source transaction: the destination rolls it back
    cdc.finished(10, 1);
    expect(cdc.counts).toEqual({ rowsCommitted: 10, bytesCommitted: 1, rowsUncommitted: 5 });
    const silent = new DeliveryLedger();
    silent.frame(8);
    silent.rejected(1);
    silent.finished(undefined, 0);
    expect(silent.counts.rowsCommitted).toBe(7);
  });

  it('a report that matches no marker taken covers at most what was received', () => {
    const d = new DeliveryLedger();
    d.frame(4);
    d.committed('{"unknown":true}', 9);
    expect(d.counts).toEqual({ rowsCommitted: 4, bytesCommitted: 9, rowsUncommitted: 0 });
  });
});

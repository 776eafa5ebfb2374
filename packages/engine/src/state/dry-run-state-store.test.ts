import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRY_RUN_ID, dryRunStateStore } from './dry-run-state-store.js';
import { openSqliteStateStore } from './sqlite-state-store.js';

describe('dryRunStateStore', () => {
  it('reads through, drops every write, and still takes the pipeline lock', async () => {
    const inner = openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'rb-dry-')), 'state.db'));
    try {
      await inner.putKv('scope', 'k', 'stored');
      const dry = dryRunStateStore(inner);
      expect(await dry.getKv('scope', 'k')).toBe('stored');
      const runId = await dry.beginRun('p', ['s']);
      expect(runId).toBe(DRY_RUN_ID);
      await dry.transition(runId, 's', 'running');
      await dry.recordStreamCounts(runId, 's', { rowsRead: 1, bytesRead: 1, rowsWritten: 0, bytesWritten: 0 });
      await dry.finishRun(runId, 'succeeded');
      await dry.putKv('scope', 'k', 'changed');
      await dry.putCursor({ pipeline: 'p', stream: 's', cursorValue: '9', runId });
      expect(await dry.casKv('scope', 'k', 'stored', 'x')).toBe(false);
      expect(await dry.deleteKv('scope', 'k')).toBe(false);
      expect(await inner.listRuns()).toEqual([]);
      expect(await inner.getCursor('p', 's')).toBeUndefined();
      expect(await inner.getKv('scope', 'k')).toBe('stored');
      const release = await dry.acquirePipelineLock('p', { pid: process.pid, host: 'h' });
      await expect(inner.acquirePipelineLock('p', { pid: process.pid, host: 'h' })).rejects.toThrow();
      await release();
      await dry.close();
      expect(await inner.getKv('scope', 'k')).toBe('stored'); // inner still open
    } finally {
      await inner.close();
    }
  });
});

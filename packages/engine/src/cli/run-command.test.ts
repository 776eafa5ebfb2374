import { describe, expect, it } from 'vitest';
import { dryRunNote, parseRunLimit } from './run-command.js';

describe('parseRunLimit', () => {
  it('accepts a non-negative integer with --dry-run only', () => {
    expect(parseRunLimit({})).toEqual({});
    expect(parseRunLimit({ dryRun: true, limit: '250' })).toEqual({ limit: 250 });
    expect(parseRunLimit({ dryRun: true, limit: '0' })).toEqual({ limit: 0 });
    expect(parseRunLimit({ limit: '10' }).problem).toContain('--limit only works with --dry-run');
    expect(parseRunLimit({ dryRun: true, limit: '-3' }).problem).toContain('non-negative integer');
    expect(parseRunLimit({ dryRun: true, limit: '1e3' }).problem).toContain('non-negative integer');
  });
});

describe('dryRunNote', () => {
  it('names rows read per stream and the skipped streams', () => {
    const stream = {
      status: 'succeeded',
      rowsWritten: 0,
      bytesRead: 0,
      bytesWritten: 0,
      startedAt: '',
      finishedAt: '',
      durationMs: 1,
      attempts: 1,
    } as const;
    const note = dryRunNote({
      runId: 0,
      pipeline: 'p',
      status: 'succeeded',
      durationMs: 1,
      dryRun: true,
      streams: [{ ...stream, stream: 'public.a', rowsRead: 7 }],
      skipped: [{ stream: 'public.e', reason: 'cdc' }],
    });
    expect(note).toBe(
      'dry run: nothing was written and no state was recorded; public.a 7 rows read, public.e skipped (cdc)',
    );
  });
});

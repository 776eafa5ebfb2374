import { describe, expect, it } from 'vitest';
import type { PipelineConfig } from '../config/index.js';
import { formatScheduleList, scheduledPipelines } from './schedule-command.js';

const base = { file: '/p/x.yaml' } as const;
const pipelines = [
  {
    ...base,
    pipeline: 'nightly',
    schedule: { kind: 'cron', cron: '30 2 * * *', timezone: 'Europe/Berlin', overlap: 'skip', catchUp: 'one' },
  },
  {
    ...base,
    pipeline: 'ticker',
    schedule: { kind: 'every', every: '90s', everyMs: 90_000, overlap: 'queue_one', catchUp: 'none' },
  },
  { ...base, pipeline: 'mart', dependsOn: [{ pipeline: 'nightly', on: 'completion' }] },
  { ...base, pipeline: 'manual' },
] as unknown as PipelineConfig[];

describe('schedule list', () => {
  it('next fire time per pipeline in its zone, dependencies, and a plain table', () => {
    const rows = scheduledPipelines(pipelines, new Date('2026-10-24T12:00:00Z'));
    expect(rows.map((r) => [r.pipeline, r.nextFireAt, r.nextFireLocal])).toEqual([
      ['nightly', '2026-10-25T00:30:00Z', '2026-10-25T02:30:00+02:00'],
      ['ticker', '2026-10-24T12:01:30Z', '2026-10-24T12:01:30Z'],
      ['mart', null, null],
      ['manual', null, null],
    ]);
    expect(rows[1]?.schedule).toEqual({ every: '90s', overlap: 'queue_one', catch_up: 'none' });
    expect(formatScheduleList(rows).split('\n')).toEqual([
      'pipeline  schedule         timezone       next fire                  depends on',
      'nightly   cron 30 2 * * *  Europe/Berlin  2026-10-25T02:30:00+02:00  -',
      'ticker    every 90s        -              2026-10-24T12:01:30Z       -',
      'mart      -                -              after its dependencies     nightly (completion)',
      'manual    -                -              -                          -',
    ]);
  });
});

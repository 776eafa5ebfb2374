import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../state/event-records.js';
import { jsonWebhookBody, slackWebhookBody } from './webhook-payload.js';

const runFailed: EventRecord = {
  id: 7,
  uid: '6f1c9a52-1f0e-4b8e-9a3c-2f1d3c4b5a69',
  type: 'run.failed',
  at: '2024-01-01T00:00:05.000Z',
  pipeline: 'orders',
  runId: 12,
  payload: {
    status: 'partial',
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:05.000Z',
    streams: [
      {
        stream: 'public.users',
        status: 'succeeded',
        attempts: 1,
        rowsRead: 1200,
        rowsWritten: 1200,
        bytesRead: 1,
        bytesWritten: 1,
      },
      {
        stream: 'public.orders',
        status: 'failed',
        attempts: 4,
        rowsRead: 0,
        rowsWritten: 0,
        bytesRead: 0,
        bytesWritten: 0,
        error: { code: 'AUTH_FAILED', kind: 'permanent', message: 'password authentication failed for user "app" <x>' },
      },
    ],
  },
};

describe('webhook payloads (golden files)', () => {
  it("json: the event with the run's per-stream summary", async () => {
    await expect(`${JSON.stringify(jsonWebhookBody(runFailed), null, 2)}\n`).toMatchFileSnapshot(
      './golden/run-failed.json',
    );
  });

  it('slack: a readable message, one line per stream, Slack control characters escaped', async () => {
    await expect(`${slackWebhookBody(runFailed).text}\n`).toMatchFileSnapshot('./golden/run-failed.slack.txt');
  });

  it('json and slack of a stream event and a dead-letter event', async () => {
    const retrying: EventRecord = {
      id: 3,
      uid: 'a',
      type: 'stream.retrying',
      at: '2024-01-01T00:00:02.000Z',
      pipeline: 'orders',
      runId: 12,
      stream: 'public.orders',
      payload: {
        status: 'retrying',
        attempts: 1,
        rowsRead: 0,
        rowsWritten: 0,
        bytesRead: 0,
        bytesWritten: 0,
        error: { code: 'CONNECTION_LOST', kind: 'transient', message: 'terminated' },
        reason: 'attempt 1 failed',
      },
    };
    const dead: EventRecord = {
      id: 4,
      uid: 'b',
      type: 'rows.dead_lettered',
      at: '2024-01-01T00:00:03.000Z',
      pipeline: 'orders',
      runId: 12,
      stream: 'public.orders',
      payload: { rows: 3 },
    };
    expect(jsonWebhookBody(retrying)).toMatchObject({
      id: 'a',
      sequence: 3,
      type: 'stream.retrying',
      stream: 'public.orders',
      data: { error: { code: 'CONNECTION_LOST' } },
    });
    expect(slackWebhookBody(retrying).text).toBe(
      'Pipeline *orders* run 12: `public.orders` retrying after 1 attempt: CONNECTION_LOST: terminated',
    );
    expect(slackWebhookBody(dead).text).toBe(
      ':inbox_tray: Pipeline *orders* run 12: 3 rows of public.orders were dead-lettered',
    );
  });
});

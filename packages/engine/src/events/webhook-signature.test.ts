import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const body = '{"id":"e1","type":"run.failed"}';

  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', 'whsec').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('whsec', 1_700_000_000, body)).toBe(`v1=${expected}`);
  });

  it('verifies as the README snippet does: right secret, body and fresh timestamp only', () => {
    const signature = signWebhook('whsec', 1_700_000_000, body);
    const ok = { secret: 'whsec', body, signature, timestamp: '1700000000', nowSeconds: 1_700_000_100 };
    expect(verifyWebhookSignature(ok)).toBe(true);
    expect(verifyWebhookSignature({ ...ok, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, body: `${body} ` })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, timestamp: '1700000001' })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, nowSeconds: 1_700_000_301 })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...ok, signature: 'v1=00' })).toBe(false);
  });
});

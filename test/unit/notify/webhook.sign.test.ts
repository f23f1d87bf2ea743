import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../server/notify/webhook.sign.js';

describe('webhook signatures', () => {
  const secret = newWebhookSecret();
  const body = '{"key":"alert:1:new"}';

  it('is HMAC-SHA256 over "<t>.<body>", which a receiver can recompute by hand', () => {
    const header = signWebhook(secret, body, 1_800_000_000);
    const mac = createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex');
    expect(header).toBe(`t=1800000000,v1=${mac}`);
    expect(verifyWebhook(secret, header, body, 1_800_000_100)).toEqual({ ok: true, at: 1_800_000_000 });
  });

  it('refuses a changed body, another secret, a replay outside the window and a malformed header', () => {
    const header = signWebhook(secret, body, 1_800_000_000);
    expect(verifyWebhook(secret, header, body + ' ', 1_800_000_000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(newWebhookSecret(), header, body, 1_800_000_000)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(secret, header, body, 1_800_000_301)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhook(secret, 'v1=abc', body, 1_800_000_000)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhook(secret, undefined, body, 1_800_000_000)).toEqual({ ok: false, reason: 'malformed' });
  });
});

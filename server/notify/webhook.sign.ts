import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (issue 14 item 5): header `X-BinhYen-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${body}`). A receiver recomputes it over the raw body and
 * refuses a t outside its replay window (5 minutes by default), like Stripe's scheme.
 */
export const SIGNATURE_HEADER = 'x-binhyen-signature';

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export function signWebhook(secret: string, body: string, atSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${atSeconds}.${body}`).digest('hex');
  return `t=${atSeconds},v1=${mac}`;
}

export type VerifyResult = { ok: true; at: number } | { ok: false; reason: 'malformed' | 'expired' | 'mismatch' };

/** What a receiver runs (also the tests' receiver). */
export function verifyWebhook(secret: string, header: string | undefined, body: string, nowSeconds: number, windowSeconds = 300): VerifyResult {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - t) > windowSeconds) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex')) ? { ok: true, at: t } : { ok: false, reason: 'mismatch' };
}

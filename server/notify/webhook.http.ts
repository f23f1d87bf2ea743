import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { RangePolicy } from '../shared/address.ranges.js';

export interface PostResult {
  status: number;
  /** The start of the answer, for the delivery log. */
  bodyHead: string;
  /** The answer was longer than the cap and was cut off. */
  truncated: boolean;
}

/** The target is in a denied address range: retrying cannot help. */
export class WebhookRefused extends Error {}

export interface WebhookHttpDeps {
  policy: () => RangePolicy;
  maxResponseBytes: number;
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

const HEAD_BYTES = 300;

/**
 * The one outgoing HTTP port of the notifications: POSTs a body to an admin's webhook endpoint or
 * a browser's push service. The host is resolved
 * and judged by the address ranges first, and the socket connects to exactly that address (a
 * DNS answer cannot change between check and connect). No redirects are followed; the answer is
 * read only up to the cap and then the connection is cut (a 100 MB answer costs 64 kB); the
 * caller's signal bounds the whole exchange (a hanging endpoint is aborted).
 */
export class WebhookHttp {
  constructor(private readonly d: WebhookHttpDeps) {}

  async allowedAddress(url: URL): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await (this.d.resolve ?? ((h) => dnsLookup(h, { all: true })))(host);
    const policy = this.d.policy();
    const allowed = addresses.find((a) => policy.decide(a.address).allowed);
    if (!allowed) {
      const range = policy.decide(addresses[0]?.address ?? '').range;
      throw new WebhookRefused(
        `${host} resolves to ${addresses.map((a) => a.address).join(', ') || 'nothing'}, in a range webhooks may not reach (${range ?? 'no address'})`,
      );
    }
    return allowed;
  }

  async post(url: string, body: string | Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<PostResult> {
    const u = new URL(url);
    const target = await this.allowedAddress(u);
    const lookup: LookupFunction = (_h, opts, cb) =>
      (opts as { all?: boolean }).all
        ? (cb as (e: null, a: unknown[]) => void)(null, [target])
        : (cb as (e: null, a: string, f: number) => void)(null, target.address, target.family);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise<PostResult>((resolve, reject) => {
      const req = mod.request(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (truncated: boolean) => {
          resolve({ status: res.statusCode ?? 0, bodyHead: Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8'), truncated });
        };
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= HEAD_BYTES || chunks.length === 0) chunks.push(c);
          if (size > this.d.maxResponseBytes) {
            done(true);
            res.destroy();
          }
        });
        res.on('end', () => done(false));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

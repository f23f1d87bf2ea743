import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeNow, listenLoopback } from './loopback.js';

/**
 * A stand-in for a browser vendor's push service, speaking the Web Push protocol: it takes the
 * POST a server sends to a subscription endpoint, checks the VAPID JWT (RFC 8292) and decrypts
 * the aes128gcm payload (RFC 8291, 8188) with the keys of the "browser" that subscribed.
 */
const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

export class BrowserKeys {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth = randomBytes(16);
  constructor() {
    this.ecdh.generateKeys();
  }
  get p256dh(): string {
    return b64u(this.ecdh.getPublicKey());
  }
  get authSecret(): string {
    return b64u(this.auth);
  }

  /** RFC 8291 §3.4 and RFC 8188: one record, padding delimiter 2. */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idlen = body[20]!;
    const asPublic = body.subarray(21, 21 + idlen);
    const ciphertext = body.subarray(21 + idlen);
    const uaPublic = this.ecdh.getPublicKey();
    const secret = this.ecdh.computeSecret(asPublic);
    const prkKey = hmac(this.auth, secret);
    const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]));
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
    const d = createDecipheriv('aes-128-gcm', cek, nonce);
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (plain[end] !== 2) throw new Error('no last-record padding delimiter');
    return plain.subarray(0, end).toString('utf8');
  }
}

export interface Pushed {
  path: string;
  payload: Record<string, unknown>;
  vapidOk: boolean;
  ttl: string | undefined;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>`: ES256 over the JWT, aud = our origin, exp in the future. */
function vapidValid(header: string | undefined, origin: string): boolean {
  const m = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header ?? '');
  if (!m) return false;
  const [h, p, s] = m[1]!.split('.');
  const raw = Buffer.from(m[2]!, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'));
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { aud: string; exp: number };
  return ok && claims.aud === origin && claims.exp * 1000 > Date.now();
}

export class PushServiceStandIn {
  pushed: Pushed[] = [];
  /** Subscriptions (by path) the service says are gone (410). */
  gone = new Set<string>();
  private server: Server | undefined;
  port = 0;
  constructor(private readonly browsers: Map<string, BrowserKeys>) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  endpoint(name: string): string {
    return `${this.origin}/push/${name}`;
  }

  /** Listens on `port` (0: any), so a restart after an outage keeps the subscriptions' endpoints. */
  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        if (this.gone.has(path)) return void res.writeHead(410).end();
        const browser = this.browsers.get(path);
        if (!browser || req.headers['content-encoding'] !== 'aes128gcm') return void res.writeHead(400).end();
        const payload = JSON.parse(browser.decrypt(Buffer.concat(chunks))) as Record<string, unknown>;
        this.pushed.push({
          path,
          payload,
          vapidOk: vapidValid(req.headers.authorization, this.origin),
          ttl: req.headers.ttl as string | undefined,
          at: Date.now(),
        });
        res.writeHead(201).end();
      });
    });
    this.port = await listenLoopback(this.server, port);
  }

  async stop(): Promise<void> {
    await closeNow(this.server);
    this.server = undefined;
  }
}

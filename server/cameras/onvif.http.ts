import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { TransportReason } from './camera.errors.js';
import { decodeReply } from './onvif.charset.js';
import { isTargetNotAllowed, pinnedLookup, type TargetGuard } from './network.guard.js';

/**
 * The one HTTP adapter the ONVIF client uses. Unlike the `onvif` library (two minutes of socket
 * inactivity, whole reply buffered), every request has a hard time limit that covers connect,
 * headers and body — so a reply that trickles one byte a second is cut — and a byte limit that
 * aborts as soon as it is passed, so memory stays bounded whatever the camera sends.
 */
export class TransportError extends Error {
  constructor(
    readonly reason: TransportReason,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface HttpReply {
  status: number;
  contentType: string;
  /** Every WWW-Authenticate header (cameras may offer MD5 and SHA-256 digest side by side). */
  wwwAuthenticate: string[];
  body: string;
}

export interface HttpPostOptions {
  headers: Record<string, string>;
  body: string;
  /** Total time for this request, connect to last byte. */
  timeoutMs: number;
  /** Reported as 'deadline' instead of 'timeout' when the overall deadline is what ran out. */
  deadlineBound: boolean;
  maxBytes: number;
  /** Checks the host's resolved addresses (within the time limit) and connects only to allowed ones. */
  guard?: TargetGuard;
}

export type HttpPost = (url: URL, opts: HttpPostOptions) => Promise<HttpReply>;

const CODE_REASON: Record<string, TransportReason> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'no_route',
  ENETUNREACH: 'no_route',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
  EADDRNOTAVAIL: 'no_route',
};

function classify(err: NodeJS.ErrnoException): TransportReason {
  if (err.code && CODE_REASON[err.code]) return CODE_REASON[err.code]!;
  if (err.code?.startsWith('ERR_SSL') || err.code?.includes('CERT') || /TLS|SSL/.test(err.message)) return 'tls';
  if (err.code === 'HPE_INVALID_CONSTANT' || err.code?.startsWith('HPE_')) return 'reset';
  return 'reset';
}

export const httpPost: HttpPost = async (url, opts) => {
  if (!opts.guard) return post(url, opts, undefined, opts.timeoutMs);
  const started = Date.now();
  const lookup = await withinTime(resolveLookup(opts.guard, url.hostname), opts);
  return post(url, opts, lookup, opts.timeoutMs - (Date.now() - started));
};

async function resolveLookup(guard: TargetGuard, host: string): Promise<LookupFunction> {
  try {
    return pinnedLookup(await guard.resolve(host));
  } catch (err) {
    if (isTargetNotAllowed(err)) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new TransportError(classify(e), e.message);
  }
}

function withinTime<T>(p: Promise<T>, opts: HttpPostOptions): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TransportError(opts.deadlineBound ? 'deadline' : 'timeout', `no address within ${opts.timeoutMs} ms`)),
      Math.max(1, opts.timeoutMs),
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const post = (url: URL, opts: HttpPostOptions, lookup: LookupFunction | undefined, timeoutMs: number) =>
  new Promise<HttpReply>((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (err: TransportError | null, reply?: HttpReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(reply!);
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...opts.headers, 'Content-Length': String(Buffer.byteLength(opts.body)) },
        agent: false,
        // Camera firmware writes sloppy HTTP (bare LF, odd header bytes); one reply per connection, no smuggling to fear.
        insecureHTTPParser: true,
        // Redirects are never followed (a 3xx is "not an ONVIF reply"), so the checked address is the only one reached.
        ...(lookup ? { lookup } : {}),
        // Cameras ship self-signed certificates; the credentials are protected by digest or
        // WS-UsernameToken hashing, not by the certificate.
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            finish(new TransportError('too_large', `reply larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(new TransportError(classify(err), err.message)));
        res.on('end', () =>
          finish(null, {
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            wwwAuthenticate: authenticateHeaders(res.rawHeaders),
            body: decodeReply(Buffer.concat(chunks, size), String(res.headers['content-type'] ?? '')),
          }),
        );
      },
    );
    const timer = setTimeout(
      () => finish(new TransportError(opts.deadlineBound ? 'deadline' : 'timeout', `no complete reply within ${opts.timeoutMs} ms`)),
      Math.max(1, timeoutMs),
    );
    req.on('error', (err: NodeJS.ErrnoException) => finish(new TransportError(classify(err), err.message)));
    req.end(opts.body);
  });

function authenticateHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'www-authenticate') out.push(raw[i + 1]!);
  return out;
}

import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP digest authentication (RFC 7616, MD5 and SHA-256, qop=auth), for cameras: the ONVIF
 * SOAP client's fallback and the snapshot relay (ingest/ffmpeg.relay.ts).
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  algorithm?: string;
  opaque?: string;
}

/** Parses `Digest realm="x", nonce="y", qop="auth"`; undefined for Basic or garbage. */
export function parseDigestChallenge(header: string): DigestChallenge | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!)) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  if (params.realm === undefined || !params.nonce) return undefined;
  return { realm: params.realm, nonce: params.nonce, qop: params.qop, algorithm: params.algorithm, opaque: params.opaque };
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Picks the strongest challenge we support (SHA-256 over MD5), or undefined. */
export function pickChallenge(headers: string[]): DigestChallenge | undefined {
  const parsed = headers.map(parseDigestChallenge).filter((c): c is DigestChallenge => !!c && !!HASHES[(c.algorithm ?? 'MD5').toUpperCase()]);
  return parsed.find((c) => (c.algorithm ?? '').toUpperCase() === 'SHA-256') ?? parsed[0];
}

export function digestAuthorization(
  c: DigestChallenge,
  username: string,
  password: string,
  method: string,
  uri: string,
  nc = 1,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const algo = (c.algorithm ?? 'MD5').toUpperCase();
  const h = (s: string) =>
    createHash(HASHES[algo] ?? 'md5')
      .update(s, 'utf8')
      .digest('hex');
  const ha1 = h(`${username}:${c.realm}:${password}`);
  const ha2 = h(`${method}:${uri}`);
  const qop = c.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = qop ? h(`${ha1}:${c.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [`username=${q(username)}`, `realm=${q(c.realm)}`, `nonce=${q(c.nonce)}`, `uri=${q(uri)}`, `response=${q(response)}`];
  if (c.algorithm) parts.push(`algorithm=${c.algorithm}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${q(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

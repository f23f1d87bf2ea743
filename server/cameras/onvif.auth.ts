import { createHash, randomBytes } from 'node:crypto';

/**
 * ONVIF authentication: WS-UsernameToken (ONVIF Core §5.9.4, OASIS UsernameToken Profile 1.0)
 * and the HTTP digest fallback (RFC 7616) that some firmware requires instead.
 */

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  events: 'http://www.onvif.org/ver10/events/wsdl',
  ptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  schema: 'http://www.onvif.org/ver10/schema',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  passwordDigest: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest',
  base64Binary: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
} as const;

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * PasswordDigest = Base64(SHA-1(nonce + created + password)), with `created` on the camera's
 * clock (server time + offset) so a camera whose clock is years off still accepts it. The
 * password is UTF-8 (the `onvif` library encodes it as ASCII, which breaks non-ASCII passwords).
 */
export function usernameToken(username: string, password: string, cameraNowMs: number, nonce = randomBytes(16)): string {
  const created = new Date(cameraNowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
  return (
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" env:mustUnderstand="true">` +
    `<wsse:UsernameToken><wsse:Username>${xmlEscape(username)}</wsse:Username>` +
    `<wsse:Password Type="${NS.passwordDigest}">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${NS.base64Binary}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:tds="${NS.device}" xmlns:trt="${NS.media}" xmlns:tt="${NS.schema}">` +
    (header ? `<env:Header>${header}</env:Header>` : '') +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

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

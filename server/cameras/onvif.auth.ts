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
  imaging: 'http://www.onvif.org/ver20/imaging/wsdl',
  notification: 'http://docs.oasis-open.org/wsn/b-2',
  addressing: 'http://www.w3.org/2005/08/addressing',
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

/** The prefix each service's requests are written with (onvif.soap.ts), declared on every envelope. */
export const SERVICE_PREFIX: Record<string, string> = {
  [NS.device]: 'tds',
  [NS.media]: 'trt',
  [NS.media2]: 'tr2',
  [NS.events]: 'tev',
  [NS.ptz]: 'tptz',
  [NS.imaging]: 'timg',
  [NS.notification]: 'wsnt',
};
const PREFIXES = [...Object.entries(SERVICE_PREFIX).map(([ns, p]) => `xmlns:${p}="${ns}"`), `xmlns:tt="${NS.schema}"`, `xmlns:wsa="${NS.addressing}"`].join(
  ' ',
);

export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" ${PREFIXES}>` +
    (header ? `<env:Header>${header}</env:Header>` : '') +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

// HTTP digest lives in shared/ (ingest's snapshot relay uses it too).
export { digestAuthorization, parseDigestChallenge, pickChallenge, type DigestChallenge } from '../shared/http.digest.js';

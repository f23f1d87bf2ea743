import { describe, expect, it } from 'vitest';
import { NS } from '../../../server/cameras/onvif.auth.js';
import type { HttpPostOptions, HttpReply } from '../../../server/cameras/onvif.http.js';
import { TransportError } from '../../../server/cameras/onvif.http.js';
import { OnvifClient, SoapFault } from '../../../server/cameras/onvif.soap.js';

const ok = (body: string): HttpReply => ({
  status: 200,
  contentType: 'application/soap+xml',
  wwwAuthenticate: [],
  body: `<e:Envelope xmlns:e="${NS.soap12}" xmlns:tds="${NS.device}"><e:Body>${body}</e:Body></e:Envelope>`,
});
const fault = (status: number, subcode: string, text: string, soap11 = false): HttpReply => ({
  status,
  contentType: 'application/soap+xml',
  wwwAuthenticate: [],
  body: soap11
    ? `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault><faultcode>${subcode}</faultcode><faultstring>${text}</faultstring></s:Fault></s:Body></s:Envelope>`
    : `<e:Envelope xmlns:e="${NS.soap12}" xmlns:ter="http://www.onvif.org/ver10/error"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>${subcode}</e:Value></e:Subcode></e:Code><e:Reason><e:Text>${text}</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`,
});
const challenge = (nonce: string): HttpReply => ({
  status: 401,
  contentType: 'text/html',
  wwwAuthenticate: [`Digest realm="cam", nonce="${nonce}", qop="auth"`],
  body: '<html>401</html>',
});

/** A scripted camera: replies in order, and records what was sent. */
function scripted(replies: (HttpReply | Error)[]) {
  const sent: HttpPostOptions[] = [];
  const post = async (_url: URL, o: HttpPostOptions) => {
    sent.push(o);
    const r = replies.shift();
    if (!r) throw new Error('unexpected request');
    if (r instanceof Error) throw r;
    return r;
  };
  return { sent, post };
}

const url = new URL('http://10.0.0.5/onvif/device_service');
const client = (post: ReturnType<typeof scripted>['post'], username: string | null = 'admin') =>
  new OnvifClient(url, { username: username ?? undefined, password: 'pw', callTimeoutMs: 1000, deadlineMs: 5000, maxReplyBytes: 100_000, post });
const req = { url, ns: NS.device, action: 'GetDeviceInformation', authenticate: true };
const info = '<tds:GetDeviceInformationResponse><tds:Model>M</tds:Model></tds:GetDeviceInformationResponse>';

describe('SOAP client authentication', () => {
  it('uses WS-UsernameToken by default', async () => {
    const s = scripted([ok(info)]);
    const c = client(s.post);
    expect((await c.call(req)).name).toBe('GetDeviceInformationResponse');
    expect(s.sent[0]!.body).toContain('<wsse:UsernameToken>');
    expect(c.auth).toBe('ws-security');
  });

  it('switches to digest when the camera challenges, and keeps it for later calls', async () => {
    const s = scripted([challenge('n1'), ok(info), ok(info)]);
    const c = client(s.post);
    await c.call(req);
    await c.call(req);
    expect(c.auth).toBe('digest');
    expect(s.sent[1]!.headers.Authorization).toMatch(/^Digest username="admin", realm="cam", nonce="n1"/);
    expect(s.sent[2]!.headers.Authorization).toMatch(/nc=00000002/);
    expect(s.sent[1]!.body).not.toContain('UsernameToken');
  });

  it('after a refused UsernameToken asks once without it, in case the camera wants digest', async () => {
    const s = scripted([fault(400, 'ter:NotAuthorized', 'Sender not Authorized'), challenge('n2'), ok(info)]);
    const c = client(s.post);
    await c.call(req);
    expect(c.auth).toBe('digest');
    expect(s.sent[1]!.headers.Authorization).toBeUndefined();
  });

  it('wrong credentials: refused token, no digest offered', async () => {
    const s = scripted([fault(400, 'ter:NotAuthorized', 'Sender not Authorized'), fault(400, 'ter:NotAuthorized', 'Sender not Authorized')]);
    await expect(client(s.post).call(req)).rejects.toMatchObject({ code: 'wrong_credentials', details: { params: { method: 'WS-UsernameToken' } } });
  });

  it('wrong credentials: digest refused twice with the same nonce', async () => {
    const s = scripted([challenge('n3'), challenge('n3')]);
    await expect(client(s.post).call(req)).rejects.toMatchObject({ code: 'wrong_credentials', details: { params: { method: 'HTTP digest' } } });
  });

  it('recognises SOAP 1.1 authentication faults too', async () => {
    const s = scripted([fault(500, 's:Client', 'Not Authorized', true), fault(500, 's:Client', 'Not Authorized', true)]);
    await expect(client(s.post).call(req)).rejects.toMatchObject({ code: 'wrong_credentials' });
  });

  it('no credentials given → wrong_credentials saying so', async () => {
    const s = scripted([fault(400, 'ter:NotAuthorized', 'Sender not Authorized')]);
    await expect(client(s.post, null).call(req)).rejects.toMatchObject({ code: 'wrong_credentials', details: { params: { method: 'no credentials given' } } });
  });
});

describe('SOAP client classification', () => {
  it('other faults are SoapFault for the caller to judge', async () => {
    const s = scripted([fault(500, 'ter:ActionNotSupported', 'Optional Action Not Implemented')]);
    await expect(client(s.post).call(req)).rejects.toBeInstanceOf(SoapFault);
  });

  it.each([
    ['refused', 'unreachable'],
    ['dns', 'unreachable'],
    ['no_route', 'unreachable'],
    ['reset', 'unreachable'],
    ['tls', 'unreachable'],
    ['timeout', 'unreachable'],
    ['too_large', 'not_onvif'],
  ] as const)('transport %s → %s', async (reason, code) => {
    const s = scripted([new TransportError(reason, 'x')]);
    await expect(client(s.post).call(req)).rejects.toMatchObject({ code, details: { params: { reason } } });
  });

  it('a reply with the right name in the wrong namespace is not accepted', async () => {
    const s = scripted([
      { ...ok(''), body: `<e:Envelope xmlns:e="${NS.soap12}"><e:Body><x:GetDeviceInformationResponse xmlns:x="urn:evil"/></e:Body></e:Envelope>` },
    ]);
    await expect(client(s.post).call(req)).rejects.toMatchObject({ code: 'not_onvif', details: { params: { reason: 'wrong_namespace' } } });
  });

  it('gives each call the smaller of its own limit and what is left of the deadline', async () => {
    let now = 0;
    const s = scripted([ok(info), ok(info)]);
    const c = new OnvifClient(url, {
      username: 'admin',
      password: 'pw',
      callTimeoutMs: 1000,
      deadlineMs: 1500,
      maxReplyBytes: 1000,
      post: s.post,
      now: () => now,
    });
    await c.call(req);
    now = 1200;
    await c.call(req);
    expect(s.sent.map((o) => [o.timeoutMs, o.deadlineBound])).toEqual([
      [1000, false],
      [300, true],
    ]);
    now = 1600;
    await expect(c.call(req)).rejects.toMatchObject({ code: 'unreachable', details: { params: { reason: 'deadline' } } });
  });
});

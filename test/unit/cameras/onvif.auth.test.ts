import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge, pickChallenge, usernameToken } from '../../../server/cameras/onvif.auth.js';

describe('WS-UsernameToken', () => {
  it('PasswordDigest = base64(sha1(nonce + created + password)), Created on the camera clock, UTF-8 password', () => {
    const nonce = Buffer.from('0123456789abcdef');
    const cameraNow = Date.UTC(2019, 0, 2, 3, 4, 5, 678);
    const xml = usernameToken('admin', 'mật khẩu', cameraNow, nonce);
    const created = '2019-01-02T03:04:05Z';
    const expected = createHash('sha1')
      .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from('mật khẩu', 'utf8')]))
      .digest('base64');
    expect(xml).toContain(`<wsu:Created>${created}</wsu:Created>`);
    expect(xml).toContain(`>${expected}</wsse:Password>`);
    expect(xml).toContain(`>${nonce.toString('base64')}</wsse:Nonce>`);
    expect(xml).not.toContain('mật khẩu');
  });

  it('escapes the user name', () => {
    expect(usernameToken('a<b&c', 'x', 0)).toContain('<wsse:Username>a&lt;b&amp;c</wsse:Username>');
  });
});

describe('HTTP digest', () => {
  it('matches the RFC 2617 example', () => {
    const c = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const header = digestAuthorization(c, 'Mufasa', 'Circle Of Life', 'GET', '/dir/index.html', 1, '0a4f113b');
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('qop=auth, nc=00000001, cnonce="0a4f113b"');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('prefers SHA-256 when offered beside MD5, ignores Basic and unknown algorithms', () => {
    const picked = pickChallenge([
      'Basic realm="x"',
      'Digest realm="r", nonce="1", qop="auth"',
      'Digest realm="r", nonce="2", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="3", algorithm=SHA-512-256',
    ]);
    expect(picked).toMatchObject({ nonce: '2', algorithm: 'SHA-256' });
    expect(pickChallenge(['Basic realm="x"'])).toBeUndefined();
  });
});

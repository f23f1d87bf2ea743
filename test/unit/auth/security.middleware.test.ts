import { describe, expect, it } from 'vitest';
import { originAllowed } from '../../../server/auth/security.middleware.js';
import { parseCookies, sessionCookie, SESSION_COOKIE } from '../../../server/auth/session.cookie.js';

describe('originAllowed', () => {
  const own = { host: 'camera.xa-binhyen.vn:8080' };
  it('accepts our own origin whatever the scheme (a TLS proxy in front) and listed extra origins', () => {
    expect(originAllowed({ ...own, origin: 'http://camera.xa-binhyen.vn:8080' }, [])).toBe(true);
    expect(originAllowed({ ...own, origin: 'https://CAMERA.xa-binhyen.vn:8080' }, [])).toBe(true);
    expect(originAllowed({ ...own, origin: 'http://localhost:5173' }, ['http://localhost:5173'])).toBe(true);
  });

  it('refuses foreign, look-alike, opaque and non-web origins', () => {
    for (const origin of [
      'http://evil.example',
      'http://camera.xa-binhyen.vn:8081',
      'http://camera.xa-binhyen.vn:8080.evil.example',
      'null',
      'file://',
      'chrome-extension://abc',
      'not a url',
    ]) {
      expect(originAllowed({ ...own, origin }, []), origin).toBe(false);
    }
    expect(originAllowed({ origin: 'http://x' }, [])).toBe(false); // no Host header
  });

  it('without Origin, trusts Fetch Metadata: same-origin or none pass, cross-site and same-site do not', () => {
    expect(originAllowed({ ...own }, [])).toBe(true); // curl, the CLI: no ambient browser cookie
    expect(originAllowed({ ...own, 'sec-fetch-site': 'same-origin' }, [])).toBe(true);
    expect(originAllowed({ ...own, 'sec-fetch-site': 'none' }, [])).toBe(true);
    expect(originAllowed({ ...own, 'sec-fetch-site': 'cross-site' }, [])).toBe(false);
    expect(originAllowed({ ...own, 'sec-fetch-site': 'same-site' }, [])).toBe(false);
    expect(originAllowed({ ...own, origin: 'http://camera.xa-binhyen.vn:8080', 'sec-fetch-site': 'cross-site' }, [])).toBe(false);
    expect(originAllowed({ ...own, origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' }, ['http://localhost:5173'])).toBe(true);
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, Secure only when asked', () => {
    expect(sessionCookie('tok', { secure: false, maxAgeSeconds: 60 })).toBe(`${SESSION_COOKIE}=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=60`);
    expect(sessionCookie('tok', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
  });

  it('parses cookies into a Map, so prototype names stay plain data; the first of duplicates wins', () => {
    const c = parseCookies(`__proto__=x; constructor=y; ${SESSION_COOKIE}=a; ${SESSION_COOKIE}=b; junk; =v`);
    expect(c.get('__proto__')).toBe('x');
    expect(c.get(SESSION_COOKIE)).toBe('a');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(c.size).toBe(3);
  });
});

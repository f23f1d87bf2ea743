import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { INTERNAL_HEADER, mediaProxy, type MediaProxyDeps } from '../../../server/api/media.proxy.js';
import type { Authorizer, Principal } from '../../../server/auth/authorize.js';

const SECRET = 'the-cluster-secret-123';
const user: Principal = { kind: 'user', userId: 1, username: 'a', ip: '127.0.0.1', roles: ['police'], areaIds: [] };
const anonymous: Principal = { kind: 'anonymous', ip: '1.2.3.4', roles: [], areaIds: [] };

/** One request through the proxy: what it fetched, what it answered, and whether it passed the request on. */
async function run(o: {
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  principal?: Principal;
  deps?: Partial<MediaProxyDeps>;
}) {
  const fetched: { url: string; headers: Record<string, string> }[] = [];
  const deps: MediaProxyDeps = {
    authorizer: { principalOf: () => o.principal ?? user } as unknown as Authorizer,
    nodeId: 'n1',
    secret: SECRET,
    clipNode: async (id) => (id === 7 ? 'n2' : 'n1'),
    eventNode: async () => null,
    recordingNodes: async () => ['n3'],
    nodeUrl: async (id) => `http://${id}.local:8080`,
    fetch: (async (url: string, init: { headers: Record<string, string> }) => {
      fetched.push({ url, headers: init.headers });
      return new Response('MP4DATA', { status: 206, headers: { 'content-type': 'video/mp4', 'content-range': 'bytes 0-6/100' } });
    }) as unknown as typeof fetch,
    ...o.deps,
  };
  const sent: { status?: number; headers: Record<string, string>; body: string } = { headers: {}, body: '' };
  const done = new Promise<unknown>((resolve) => {
    const res = {
      status: (s: number) => ((sent.status = s), res),
      setHeader: (k: string, v: string) => void (sent.headers[k] = v),
      write: (c: Buffer) => ((sent.body += c.toString()), true),
      end: (c?: Buffer) => {
        if (c) sent.body += c.toString();
        resolve('sent');
      },
      on: () => res,
      once: () => res,
      emit: () => true,
      removeListener: () => res,
    };
    const url = o.path + (o.query ? '?' + new URLSearchParams(o.query).toString() : '');
    const req = { method: 'GET', path: o.path, originalUrl: url, query: o.query ?? {}, headers: { cookie: 'sid=abc', range: 'bytes=0-6', ...o.headers } };
    mediaProxy(deps)(req as unknown as Request, res as unknown as Response, (err?: unknown) => resolve(err ?? 'next'));
  });
  return { outcome: await done, fetched, sent };
}

describe('media proxy between nodes', () => {
  it("forwards a clip on another node there, with the user's session, the range and the secret, and streams the answer back", async () => {
    const r = await run({ path: '/api/clips/7/video.mp4' });
    expect(r.fetched).toEqual([
      {
        url: 'http://n2.local:8080/api/clips/7/video.mp4',
        headers: expect.objectContaining({ [INTERNAL_HEADER]: SECRET, cookie: 'sid=abc', range: 'bytes=0-6' }),
      },
    ]);
    expect(r.sent).toMatchObject({ status: 206, headers: { 'content-type': 'video/mp4', 'content-range': 'bytes 0-6/100' }, body: 'MP4DATA' });
    expect(r.outcome).toBe('sent');
  });

  it('serves from here what is here, what is not media, and what was forwarded once already', async () => {
    expect((await run({ path: '/api/clips/8/video.mp4' })).outcome).toBe('next');
    expect((await run({ path: '/api/events/3/snapshots/best.jpg' })).outcome).toBe('next'); // written before the cluster
    expect((await run({ path: '/api/clips/7' })).outcome).toBe('next');
    const hop = await run({ path: '/api/clips/7/video.mp4', headers: { [INTERNAL_HEADER]: SECRET } });
    expect(hop.outcome).toBe('next');
    expect(hop.fetched).toEqual([]);
  });

  it('refuses a forged hop and never forwards for an anonymous caller', async () => {
    const forged = await run({ path: '/api/clips/7/video.mp4', headers: { [INTERNAL_HEADER]: 'guess' } });
    expect(forged.outcome).toMatchObject({ status: 403 });
    const anon = await run({ path: '/api/clips/7/video.mp4', principal: anonymous });
    expect(anon).toMatchObject({ outcome: 'next', fetched: [] });
  });

  it('sends playback to the node holding that time of the recording', async () => {
    const r = await run({ path: '/api/cameras/2/playback.mp4', query: { from: '1000' } });
    expect(r.fetched[0]!.url).toBe('http://n3.local:8080/api/cameras/2/playback.mp4?from=1000');
  });

  it('says which node is unreachable instead of hanging', async () => {
    const r = await run({
      path: '/api/clips/7/video.mp4',
      deps: { fetch: (async () => Promise.reject(new Error('connect ECONNREFUSED'))) as unknown as typeof fetch },
    });
    expect(r.outcome).toMatchObject({ code: 'media_unreachable', status: 502 });
  });
});

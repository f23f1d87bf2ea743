import { Readable } from 'node:stream';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { Authorizer } from '../auth/authorize.js';
import { AppError } from '../shared/errors.js';
import { timeParam } from './event.routes.js';

/** Header that marks a request one node forwards to another (its value is the cluster secret). */
export const INTERNAL_HEADER = 'x-binhyen-cluster';

export interface MediaProxyDeps {
  authorizer: Authorizer;
  nodeId: string;
  secret: string;
  /** The node holding the media behind a path, or undefined when it is here (or unknown). */
  clipNode(id: number): Promise<string | null | undefined>;
  eventNode(id: number): Promise<string | null | undefined>;
  recordingNodes(cameraId: number, from: number, to: number): Promise<string[]>;
  nodeUrl(id: string): Promise<string | undefined>;
  fetch?: typeof fetch;
}

const CLIP_MEDIA = /^\/api\/clips\/(\d+)\/(video\.mp4|poster\.jpg|download|manifest\.json)$/;
const EVENT_MEDIA = /^\/api\/events\/(\d+)\/snapshots\/(first|best)\.jpg$/;
// Playback windows (?from=) and hover thumbnails (?at=) of the continuous recording.
const PLAYBACK = /^\/api\/cameras\/(\d+)\/(?:playback\.mp4|thumb\.jpg)$/;
/** A range export is cut where the recordings are: forwarded like a media read (the body goes along). */
const EXPORT = '/api/clips/export';
const PASSED_BACK = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'content-disposition',
  'etag',
  'last-modified',
  'cache-control',
  'x-content-sha256',
];

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Media stay on the node that recorded them (issue 16 item 5): a request for a clip, a snapshot
 * or a recording that lives on another node is forwarded there, with the user's own session
 * (the other node authorizes and audits it as usual: sessions are in the shared database) and
 * the cluster secret, which marks the hop as internal so it is never forwarded again. Only a
 * signed-in user's GET is forwarded, so an anonymous caller cannot make nodes call each other.
 */
export function mediaProxy(d: MediaProxyDeps): RequestHandler {
  const doFetch = d.fetch ?? fetch;
  return (req: Request, res: Response, next: NextFunction) => {
    const exporting = req.method === 'POST' && req.path === EXPORT;
    if (req.method !== 'GET' && req.method !== 'HEAD' && !exporting) return next();
    const hop = req.headers[INTERNAL_HEADER];
    if (hop !== undefined) {
      if (typeof hop !== 'string' || !sameSecret(hop, d.secret)) return next(new AppError('forbidden', 'bad cluster secret', 403));
      return next(); // already forwarded once: serve from here
    }
    if (!exporting && !CLIP_MEDIA.test(req.path) && !EVENT_MEDIA.test(req.path) && !PLAYBACK.test(req.path)) return next();
    if (d.authorizer.principalOf(req).kind !== 'user') return next();
    void holderOf(d, req)
      .then(async (node) => {
        if (!node || node === d.nodeId) return next();
        const base = await d.nodeUrl(node);
        if (!base) return next(new AppError('media_unreachable', `the media are on node ${node}, which is not known`, 502, { params: { node } }));
        const upstream = await doFetch(base + req.originalUrl, {
          method: req.method,
          headers: {
            [INTERNAL_HEADER]: d.secret,
            ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
            ...(req.headers.range ? { range: req.headers.range } : {}),
            ...(exporting ? { 'content-type': 'application/json' } : {}),
            accept: req.headers.accept ?? '*/*',
          },
          ...(exporting ? { body: JSON.stringify(req.body) } : {}),
          // An export waits for its cut (behind the other node's queue); a read streams at once.
          signal: AbortSignal.timeout(exporting ? 10 * 60_000 : 30_000),
        }).catch((err: unknown) => {
          throw new AppError('media_unreachable', `the media are on node ${node}, which did not answer (${(err as Error).message})`, 502, {
            params: { node },
          });
        });
        res.status(upstream.status);
        for (const h of PASSED_BACK) {
          const v = upstream.headers.get(h);
          if (v !== null) res.setHeader(h, v);
        }
        if (!upstream.body || req.method === 'HEAD') return void res.end();
        Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
      })
      .catch(next);
  };
}

async function holderOf(d: MediaProxyDeps, req: Request): Promise<string | null | undefined> {
  if (req.method === 'POST') return exportHolder(d, req);
  const clip = CLIP_MEDIA.exec(req.path);
  if (clip) return d.clipNode(Number(clip[1]));
  const ev = EVENT_MEDIA.exec(req.path);
  if (ev) return d.eventNode(Number(ev[1]));
  const pb = PLAYBACK.exec(req.path);
  const from = Number(req.query.from ?? req.query.at);
  if (!pb || !Number.isFinite(from)) return undefined;
  const nodes = await d.recordingNodes(Number(pb[1]), from, from + 1);
  // Served here when this node has any of it; else by the node that has.
  return nodes.includes(d.nodeId) ? d.nodeId : nodes[0];
}

/** The node with recordings over the export's range: this one when it has any (or the body is bad: the route says why). */
async function exportHolder(d: MediaProxyDeps, req: Request): Promise<string | undefined> {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const [cameraId, from, to] = [Number(b.cameraId), timeParam.safeParse(b.from), timeParam.safeParse(b.to)];
  if (!Number.isSafeInteger(cameraId) || !from.success || !to.success || to.data <= from.data) return undefined;
  const nodes = await d.recordingNodes(cameraId, from.data, to.data);
  return nodes.includes(d.nodeId) ? d.nodeId : nodes[0];
}

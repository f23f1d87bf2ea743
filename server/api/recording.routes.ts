import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import type { RecordingPlayback } from '../clips/recording.playback.js';
import type { RecordingThumbs } from '../clips/recording.thumbs.js';
import { AppError, notFound } from '../shared/errors.js';
import type { Repositories } from '../store/store.js';
import { idParams, sendMedia, timeParam } from './event.routes.js';
import { parse } from './validate.js';

export interface RecordingRoutesDeps {
  authorizer: Authorizer;
  playback: RecordingPlayback;
  /** Hover previews of any moment (recording.thumbs.ts). */
  thumbs: Pick<RecordingThumbs, 'thumb'>;
  files: { root: string };
  cameras: Pick<Repositories['cameras'], 'get'>;
}

const DAY_MS = 86_400_000;
const rangeQuery = z.object({ from: timeParam, to: timeParam }).strict();
const atQuery = z.object({ at: timeParam }).strict();
const fromQuery = z.object({ from: timeParam }).strict();

/**
 * The continuous recording of one camera, for those who may watch it live (camera.live):
 * its recorded spans for the timeline, playback windows (recording.playback.ts) and a small
 * JPEG of any recorded moment for the timeline's hover preview (recording.thumbs.ts).
 */
export function recordingRoutes(d: RecordingRoutesDeps): Router {
  const r = Router();
  const cameraRef = async (req: Request): Promise<ResourceRef> => {
    const { id } = parse(idParams, req.params, 'params');
    const cam = await d.cameras.get(id);
    if (!cam) throw notFound('camera', id);
    return { type: 'camera', id, areaId: cam.areaId };
  };
  const idOf = (req: Request) => parse(idParams, req.params, 'params').id;

  r.get('/api/cameras/:id/recordings', authorize(d.authorizer, 'camera.live', cameraRef), async (req, res) => {
    const { from, to } = parse(rangeQuery, req.query, 'query');
    if (!(to > from) || to - from > 2 * DAY_MS) {
      throw new AppError('invalid_range', 'the range must end after it starts and span at most 2 days', 400, { field: 'query.to', params: { from, to } });
    }
    res.json({ spans: await d.playback.spans(idOf(req), from, to) });
  });

  r.get('/api/cameras/:id/playback', authorize(d.authorizer, 'camera.live', cameraRef), async (req, res) => {
    const { at } = parse(atQuery, req.query, 'query');
    const { window } = await d.playback.window(idOf(req), at);
    res.json({ ...window, videoUrl: `/api/cameras/${idOf(req)}/playback.mp4?from=${window.from}` });
  });

  r.get('/api/cameras/:id/playback.mp4', authorize(d.authorizer, 'camera.live', cameraRef), async (req, res) => {
    const { from } = parse(fromQuery, req.query, 'query');
    const rel = d.playback.fileOf(idOf(req), from) ?? (await d.playback.window(idOf(req), from)).rel;
    await sendMedia(res, d.files.root, rel, 'video/mp4');
  });

  r.get('/api/cameras/:id/thumb.jpg', authorize(d.authorizer, 'camera.live', cameraRef), async (req, res) => {
    const { at } = parse(atQuery, req.query, 'query');
    // The browser closes the request when the pointer has moved on (img src changed): stop waiting.
    const closed = new AbortController();
    res.on('close', () => res.writableFinished || closed.abort());
    const jpeg = await d.thumbs.thumb(idOf(req), at, closed.signal);
    // A recorded moment never changes: the browser may keep it while the page is open.
    res.set('Cache-Control', 'private, max-age=3600').type('image/jpeg').send(jpeg);
  });
  return r;
}

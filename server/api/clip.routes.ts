import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import type { ClipExporter } from '../clips/clip.export.js';
import type { ClipQuery } from '../clips/clip.query.js';
import { actorOf, type ScopeOf } from '../auth/access.scope.js';
import { clipView } from '../events/event.view.js';
import type { MediaFiles } from '../shared/media.files.js';
import { notFound } from '../shared/errors.js';
import { CLIP_STATES, type ClipSort } from '../store/clip.repository.js';
import type { Repositories } from '../store/store.js';
import { audienceOf } from '../privacy/privacy.audience.js';
import type { PrivacyMasker } from '../privacy/privacy.masker.js';
import { idParams, idQuery, pageOf, pageQuery, sendMasked, sendMedia, sortParam, timeParam } from './event.routes.js';
import { parse } from './validate.js';

export interface ClipRoutesDeps {
  authorizer: Authorizer;
  clips: ClipQuery;
  exporter: ClipExporter;
  files: Pick<MediaFiles, 'root'>;
  cameras: Pick<Repositories['cameras'], 'getIncludingRemoved'>;
  scopeOf: ScopeOf;
  /** Privacy masks on the way out: residents get a masked rendition and poster. */
  privacy: Pick<PrivacyMasker, 'jpegFile' | 'clip'>;
}

const listQuery = z
  .object({
    cameraId: idQuery.optional(),
    eventId: idQuery.optional(),
    kind: z.enum(['event', 'export']).optional(),
    state: z.enum(CLIP_STATES).optional(),
    pinned: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
    ...pageQuery,
    sort: sortParam<ClipSort>(['startAt', 'createdAt', 'id'], '-startAt'),
  })
  .strict();

const exportBody = z
  .object({
    cameraId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    from: timeParam,
    to: timeParam,
    reason: z.string().trim().min(3).max(1000),
  })
  .strict();

/** Clips served by id only: no route takes a path, a file name or an extension from the client. */
export function clipRoutes(d: ClipRoutesDeps): Router {
  const r = Router();
  const idOf = (req: Request) => parse(idParams, req.params, 'params').id;
  const asClip = async (req: Request): Promise<ResourceRef> => {
    const c = await d.clips.get(idOf(req));
    return { type: 'clip', id: c.id, ...(await d.clips.audienceOf(c)) };
  };

  r.get('/api/clips', authorize(d.authorizer, 'clip.list'), async (req, res) => {
    const { sort, limit, offset, ...q } = parse(listQuery, req.query, 'query');
    res.json(await d.clips.list(q, d.scopeOf(d.authorizer.principalOf(req)), pageOf({ limit, offset, sort })));
  });
  r.get('/api/clips/:id', authorize(d.authorizer, 'clip.read', asClip), async (req, res) => {
    res.json(clipView(await d.clips.get(idOf(req))));
  });

  r.get('/api/clips/:id/video.mp4', authorize(d.authorizer, 'clip.read', asClip), async (req, res) => {
    const c = await d.clips.get(idOf(req));
    // Residents get the masked rendition (its own SHA-256); the original and its hash chain stay for the police.
    const out = await d.privacy.clip(c, await d.clips.mediaPath(c, 'video'), audienceOf(d.authorizer.principalOf(req)));
    await sendMedia(res, d.files.root, out.rel, 'video/mp4', {
      ...(out.sha256 ? { 'X-Content-SHA256': out.sha256 } : {}),
      ...(out.masked ? { 'X-Privacy-Masked': '1' } : {}),
    });
  });
  r.get('/api/clips/:id/poster.jpg', authorize(d.authorizer, 'clip.read', asClip), async (req, res) => {
    const c = await d.clips.get(idOf(req));
    await sendMasked(
      res,
      d.files.root,
      await d.privacy.jpegFile(c.cameraId, await d.clips.mediaPath(c, 'poster'), audienceOf(d.authorizer.principalOf(req)), 'clip'),
    );
  });
  r.get('/api/clips/:id/download', authorize(d.authorizer, 'clip.download', asClip), async (req, res) => {
    const c = await d.clips.get(idOf(req));
    await sendMedia(res, d.files.root, await d.clips.mediaPath(c, 'video'), 'video/mp4', {
      'Content-Disposition': `attachment; filename="binhyen-${c.kind}-${c.id}.mp4"`,
      ...(c.sha256 ? { 'X-Content-SHA256': c.sha256 } : {}),
    });
  });
  r.get('/api/clips/:id/manifest.json', authorize(d.authorizer, 'clip.download', asClip), async (req, res) => {
    const c = await d.clips.get(idOf(req));
    await sendMedia(res, d.files.root, await d.clips.mediaPath(c, 'manifest'), 'application/json', {
      'Content-Disposition': `attachment; filename="binhyen-${c.kind}-${c.id}.json"`,
    });
  });

  r.post('/api/clips/:id/pin', authorize(d.authorizer, 'event.update', asClip), async (req, res) => {
    res.json(clipView(await d.clips.setPinned(idOf(req), true)));
  });
  r.post('/api/clips/:id/unpin', authorize(d.authorizer, 'event.update', asClip), async (req, res) => {
    res.json(clipView(await d.clips.setPinned(idOf(req), false)));
  });

  const asCamera = async (req: Request): Promise<ResourceRef> => {
    const body = parse(exportBody, req.body, 'body');
    const cam = await d.cameras.getIncludingRemoved(body.cameraId);
    if (!cam) throw notFound('camera', body.cameraId);
    return { type: 'camera', id: cam.id, areaId: cam.areaId };
  };
  r.post('/api/clips/export', authorize(d.authorizer, 'clip.export', asCamera), async (req, res) => {
    const body = parse(exportBody, req.body, 'body');
    const out = await d.exporter.exportRange(body, actorOf(d.authorizer.principalOf(req)));
    res.status(201).json({ clip: clipView(out.clip), manifest: out.manifest });
  });
  return r;
}

import { Router, type Request } from 'express';
import { z } from 'zod';
import { accessFor } from '../auth/access.policy.js';
import { actorOf } from '../auth/access.scope.js';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import type { AnnouncementService } from '../reports/announcement.service.js';
import { AppError } from '../shared/errors.js';
import type { MediaFiles } from '../shared/media.files.js';
import { pageQuery, sendMedia } from './event.routes.js';
import { readMultipart } from './multipart.js';
import { decimalInt, idParams } from './params.js';
import { formOf, type Form } from './report.routes.js';
import { parse } from './validate.js';

const postBody = z.object({ areaId: decimalInt(1, 2 ** 31 - 1), title: z.string().trim().min(3).max(200), body: z.string().trim().min(1).max(4000) }).strict();
const listQuery = z.object({ ...pageQuery }).strict();

const FORM = Symbol('announcementForm');

/**
 * GET /api/announcements (with the reader's unread count), POST one to an area (JSON, or
 * multipart with one photo), GET …/:id/photo for whoever it reaches, POST …/read to mark the
 * feed read.
 */
export function announcementRoutes(d: {
  authorizer: Authorizer;
  announcements: AnnouncementService;
  files: Pick<MediaFiles, 'root'>;
  maxPhotoBytes: number;
}): Router {
  const r = Router();
  // The form is read before the handler: the area it names decides who may post it.
  const asArea = async (req: Request): Promise<ResourceRef> => {
    const form: Form = req.is('multipart/form-data')
      ? formOf(await readMultipart(req, d.maxPhotoBytes + 64 * 1024, 8))
      : { fields: (req.body ?? {}) as Record<string, unknown>, photos: [] };
    if (form.photos.length > 1) throw new AppError('too_many_photos', 'photos: one photo per announcement', 400, { field: 'photos', params: { max: 1 } });
    (req as unknown as Record<symbol, Form>)[FORM] = form;
    const { areaId } = parse(postBody, form.fields, 'body');
    const p = d.authorizer.principalOf(req);
    if (accessFor(p, 'announcement.create') !== 'allow' && !(p.areaScope ?? p.areaIds).includes(areaId))
      throw new AppError('area_not_yours', `body.areaId: area ${areaId} is not one of your areas`, 403, { field: 'body.areaId', params: { areaId } });
    return { type: 'area', id: areaId, areaId };
  };
  r.get('/api/announcements', authorize(d.authorizer, 'announcement.list'), async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    res.json(await d.announcements.list(d.authorizer.principalOf(req), q));
  });
  r.post('/api/announcements', authorize(d.authorizer, 'announcement.create', asArea), async (req, res) => {
    const form = (req as unknown as Record<symbol, Form>)[FORM]!;
    res.status(201).json(await d.announcements.post(parse(postBody, form.fields, 'body'), actorOf(d.authorizer.principalOf(req)), form.photos[0]));
  });
  const asPhoto = async (req: Request): Promise<ResourceRef> => {
    const { id } = parse(idParams, req.params, 'params');
    const photo = await d.announcements.photo(id);
    return { type: 'announcement', id, areaId: photo.areaId, reach: photo.reach };
  };
  r.get('/api/announcements/:id/photo', authorize(d.authorizer, 'announcement.photo', asPhoto), async (req, res) => {
    const photo = await d.announcements.photo(parse(idParams, req.params, 'params').id);
    await sendMedia(res, d.files.root, photo.path, photo.mime);
  });
  r.post('/api/announcements/read', authorize(d.authorizer, 'announcement.read'), async (req, res) => {
    res.json(await d.announcements.markAllRead(d.authorizer.principalOf(req)));
  });
  return r;
}

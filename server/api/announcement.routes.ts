import { Router, type Request } from 'express';
import { z } from 'zod';
import { accessFor } from '../auth/access.policy.js';
import { actorOf } from '../auth/access.scope.js';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import type { AnnouncementService } from '../reports/announcement.service.js';
import { AppError } from '../shared/errors.js';
import { pageQuery } from './event.routes.js';
import { decimalInt } from './params.js';
import { parse } from './validate.js';

const postBody = z.object({ areaId: decimalInt(1, 2 ** 31 - 1), title: z.string().trim().min(3).max(200), body: z.string().trim().min(1).max(4000) }).strict();
const listQuery = z.object({ ...pageQuery }).strict();

/** GET /api/announcements (with the reader's unread count), POST one to an area, POST …/read to mark the feed read. */
export function announcementRoutes(d: { authorizer: Authorizer; announcements: AnnouncementService }): Router {
  const r = Router();
  const asArea = (req: Request): ResourceRef => {
    const { areaId } = parse(postBody, req.body, 'body');
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
    res.status(201).json(await d.announcements.post(parse(postBody, req.body, 'body'), actorOf(d.authorizer.principalOf(req))));
  });
  r.post('/api/announcements/read', authorize(d.authorizer, 'announcement.read'), async (req, res) => {
    res.json(await d.announcements.markAllRead(d.authorizer.principalOf(req)));
  });
  return r;
}

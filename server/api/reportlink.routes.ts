import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer } from '../auth/authorize.js';
import { actorOf } from '../auth/access.scope.js';
import type { ReportLinks } from '../reports/report.links.js';
import { notFound } from '../shared/errors.js';
import type { AreaRepository } from '../store/area.repository.js';
import { readMultipart } from './multipart.js';
import { idParams } from './params.js';
import { formOf, publicReport, type Form } from './report.routes.js';
import { parse } from './validate.js';

export interface ReportLinkRoutesDeps {
  authorizer: Authorizer;
  links: ReportLinks;
  areas: Pick<AreaRepository, 'get'>;
  maxPhotos: number;
  maxPhotoBytes: number;
}

const tokenParams = z.object({ token: z.string().max(100) }).strict();
const followBody = z.object({ ref: z.string().trim().min(1).max(32), secret: z.string().trim().min(1).max(64) }).strict();

/**
 * The anonymous report link (issue 13 item 2). Police of an area switch it on (a new link each
 * time, the old one revoked) or off under /api/areas/:id/report-link; anyone holding the link
 * files a report under /api/public/report-links/:token and follows it with its reference number
 * and secret at /api/public/reports/status (POST, so the secret stays out of URLs and logs).
 * Nothing else is reachable without an account.
 */
export function reportLinkRoutes(d: ReportLinkRoutesDeps): Router {
  const r = Router();
  const areaRef = async (req: Request) => {
    const { id } = parse(idParams, req.params, 'params');
    if (!(await d.areas.get(id))) throw notFound('area', id);
    return { type: 'area', id, areaId: id };
  };
  const areaId = (req: Request) => parse(idParams, req.params, 'params').id;

  r.get('/api/areas/:id/report-link', authorize(d.authorizer, 'reportlink.manage', areaRef), async (req, res) => {
    res.json(await d.links.status(areaId(req)));
  });
  r.post('/api/areas/:id/report-link', authorize(d.authorizer, 'reportlink.manage', areaRef), async (req, res) => {
    res.status(201).json(await d.links.enable(areaId(req), actorOf(d.authorizer.principalOf(req))));
  });
  r.delete('/api/areas/:id/report-link', authorize(d.authorizer, 'reportlink.manage', areaRef), async (req, res) => {
    res.json(await d.links.revoke(areaId(req)));
  });

  const token = (req: Request) => parse(tokenParams, req.params, 'params').token;
  r.get('/api/public/report-links/:token', authorize(d.authorizer, 'public.status'), async (req, res) => {
    res.json(await d.links.info(token(req)));
  });
  r.post('/api/public/report-links/:token/reports', authorize(d.authorizer, 'public.report'), async (req, res) => {
    const ip = d.authorizer.principalOf(req).ip;
    // The link and the limits first: a flood is refused before its photos are read or decoded.
    const link = await d.links.admit(token(req), ip);
    const form: Form = req.is('multipart/form-data')
      ? formOf(await readMultipart(req, d.maxPhotos * d.maxPhotoBytes + 256 * 1024, d.maxPhotos + 20))
      : { fields: (req.body ?? {}) as Record<string, unknown>, photos: [] };
    const v = parse(publicReport, form.fields, 'body');
    const input = { ...v, latitude: v.latitude ?? null, longitude: v.longitude ?? null };
    res.status(201).json(await d.links.file(link, input, form.photos, ip));
  });
  r.post('/api/public/reports/status', authorize(d.authorizer, 'public.status'), async (req, res) => {
    const { ref, secret } = parse(followBody, req.body, 'body');
    res.json(await d.links.follow(ref, secret));
  });
  return r;
}

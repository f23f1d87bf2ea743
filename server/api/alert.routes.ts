import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, type Authorizer, type ResourceRef } from '../auth/authorize.js';
import { actorOf, type ScopeOf } from '../auth/access.scope.js';
import type { AlertQuery } from '../events/alert.query.js';
import type { AlertService } from '../events/alert.service.js';
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATES, type AlertRecord, type AlertSort } from '../store/alert.repository.js';
import { NOTE_VISIBILITIES } from '../store/note.repository.js';
import { idParams, idQuery, labelQuery, pageOf, pageQuery, sortParam, timeParam, visibilityQuery } from './event.routes.js';
import { parse } from './validate.js';

export interface AlertRoutesDeps {
  authorizer: Authorizer;
  alerts: AlertService;
  query: AlertQuery;
  scopeOf: ScopeOf;
}

const listQuery = z
  .object({
    cameraId: idQuery.optional(),
    areaId: idQuery.optional(),
    state: z.enum(ALERT_STATES).optional(),
    kind: z.enum(ALERT_KINDS).optional(),
    severity: z.enum(ALERT_SEVERITIES).optional(),
    label: labelQuery.optional(),
    minScore: z.coerce.number().min(0).max(1).optional(),
    visibility: visibilityQuery.optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
    ...pageQuery,
    sort: sortParam<AlertSort>(['createdAt', 'updatedAt', 'id'], '-createdAt'),
  })
  .strict();

const stateBody = z
  .object({
    state: z.enum(ALERT_STATES),
    note: z.string().trim().min(1).max(4000).optional(),
    noteVisibility: z.enum(NOTE_VISIBILITIES).default('internal'),
    assigneeId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();
const noteBody = z.object({ body: z.string().trim().min(1).max(4000), visibility: z.enum(NOTE_VISIBILITIES).default('internal') }).strict();

export const alertRef = (a: AlertRecord): ResourceRef => ({ type: 'alert', id: a.id, areaId: a.areaId, visibility: a.visibility });

/** Alerts: lists and one alert for police and residents (scoped), the workflow for police. */
export function alertRoutes(d: AlertRoutesDeps): Router {
  const r = Router();
  const idOf = (req: Request) => parse(idParams, req.params, 'params').id;
  const asAlert = async (req: Request) => alertRef(await d.query.get(idOf(req)));

  r.get('/api/alerts', authorize(d.authorizer, 'alert.list'), async (req, res) => {
    const { sort, limit, offset, ...q } = parse(listQuery, req.query, 'query');
    res.json(await d.query.list(q, d.scopeOf(d.authorizer.principalOf(req)), pageOf({ limit, offset, sort })));
  });

  r.get('/api/alerts/:id', authorize(d.authorizer, 'alert.read', asAlert), async (req, res) => {
    const p = d.authorizer.principalOf(req);
    res.json(await d.query.detail(idOf(req), d.scopeOf(p).all, p.userId ?? null));
  });

  r.post('/api/alerts/:id/state', authorize(d.authorizer, 'alert.update', asAlert), async (req, res) => {
    const body = parse(stateBody, req.body, 'body');
    const out = await d.alerts.changeState(idOf(req), body, actorOf(d.authorizer.principalOf(req)));
    // The view built in the change's own transaction (police only may change alerts: the full view).
    res.json({ alert: out.view, history: out.history, note: out.note });
  });

  const asNote = async (req: Request): Promise<ResourceRef> => {
    const a = await d.query.get(idOf(req));
    const visibility =
      typeof req.body === 'object' && req.body !== null && (req.body as { visibility?: unknown }).visibility === 'public' ? 'public' : 'internal';
    return { type: 'note', areaId: a.areaId, visibility, eventVisibility: a.visibility };
  };
  r.post('/api/alerts/:id/notes', authorize(d.authorizer, 'note.create', asNote), async (req, res) => {
    const body = parse(noteBody, req.body, 'body');
    res.status(201).json(await d.alerts.addNote(idOf(req), body.body, body.visibility, actorOf(d.authorizer.principalOf(req))));
  });
  return r;
}

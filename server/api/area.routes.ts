import { Router } from 'express';
import { z } from 'zod';
import { areaChain, listScope } from '../auth/access.policy.js';
import { authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import { AppError, notFound } from '../shared/errors.js';
import { AREA_KINDS, type Area, type AreaRepository } from '../store/area.repository.js';
import { idParams } from './params.js';
import { parse } from './validate.js';

export interface AreaRoutesDeps {
  authorizer: Authorizer;
  areas: AreaRepository;
}

const name = z.string().trim().min(1).max(200);
/** Minutes: at least one, at most a year. */
const target = z.number().int().min(1).max(525_600).nullable();
const createBody = z
  .object({ parentId: z.number().int().positive().nullable(), kind: z.enum(AREA_KINDS), name, feedbackTargetMinutes: target.optional() })
  .strict();
const patchBody = z
  .object({ name: name.optional(), kind: z.enum(AREA_KINDS).optional(), feedbackTargetMinutes: target.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'give a name, a kind or a feedbackTargetMinutes', path: ['name'] });

/** Areas a scoped user is shown: their own subtree plus the ancestors (names for breadcrumbs only). */
function visibleAreas(all: Area[], scopeIds: readonly number[]): Area[] {
  const ids = new Set<number>();
  for (const id of scopeIds) for (const a of areaChain(all, id)) ids.add(a);
  return all.filter((a) => ids.has(a.id));
}

/** The area hierarchy: commune → ward/hamlet/quarter → group. Admins change it (name, kind, target time for feedback); everyone signed in sees their part. */
export function areaRoutes(d: AreaRoutesDeps): Router {
  const r = Router();
  const areaRef = async (req: { params: unknown }) => {
    const { id } = parse(idParams, req.params, 'params');
    if (!(await d.areas.get(id))) throw notFound('area', id);
    return { type: 'area', id, areaId: id };
  };

  r.get('/api/areas', authorize(d.authorizer, 'area.list'), async (req, res) => {
    const all = await d.areas.list();
    const scope = listScope(principalOf(req), 'area.list');
    res.json({ areas: scope.all ? all : visibleAreas(all, scope.areaIds) });
  });

  r.post('/api/areas', authorize(d.authorizer, 'area.create'), async (req, res) => {
    const body = parse(createBody, req.body, 'body');
    if (body.parentId !== null && !(await d.areas.get(body.parentId))) {
      throw new AppError('unknown_area', `parent area ${body.parentId} does not exist`, 400, { field: 'body.parentId', params: { id: body.parentId } });
    }
    res.status(201).json(await d.areas.create(body));
  });

  r.patch('/api/areas/:id', authorize(d.authorizer, 'area.update', areaRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const body = parse(patchBody, req.body, 'body');
    await d.areas.update(id, body);
    res.json(await d.areas.get(id));
  });
  return r;
}

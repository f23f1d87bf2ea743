import { Router, type Request } from 'express';
import { z } from 'zod';
import { accessFor } from '../auth/access.policy.js';
import { authorize, type Authorizer } from '../auth/authorize.js';
import { actorOf } from '../auth/access.scope.js';
import type { Commendations } from '../reports/report.commendation.js';
import { evaluationCsv, type ReportEvaluation } from '../reports/report.evaluation.js';
import { AppError } from '../shared/errors.js';
import type { Repositories } from '../store/store.js';
import { idQuery, timeParam } from './event.routes.js';
import { parse } from './validate.js';

export interface EvaluationRoutesDeps {
  authorizer: Authorizer;
  evaluation: ReportEvaluation;
  commendations: Commendations;
  areas: Pick<Repositories['areas'], 'list' | 'descendantIds'>;
  optOut: { get(userId: number): Promise<boolean>; set(userId: number, optOut: boolean): Promise<void> };
}
const optOutBody = z.object({ optOut: z.boolean() }).strict();

const MAX_PERIOD_MS = 400 * 86_400_000;
const evaluationQuery = z
  .object({ areaId: idQuery.optional(), from: timeParam, to: timeParam })
  .strict()
  .refine((q) => q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= MAX_PERIOD_MS, { message: 'a period covers at most 400 days', path: ['to'] });

/**
 * GET /api/reports/evaluation (JSON) and /api/reports/evaluation.csv: the same numbers, one row
 * per area: the area asked for and the areas right under it, or (without areaId) the user's
 * areas and the areas right under them. Registered before /api/reports/:id.
 */
export function evaluationRoutes(d: EvaluationRoutesDeps): Router {
  const r = Router();
  const rowsOf = async (req: Request) => {
    const q = parse(evaluationQuery, req.query, 'query');
    const p = d.authorizer.principalOf(req);
    const all = accessFor(p, 'report.evaluation') === 'allow';
    const scope = p.areaScope ?? p.areaIds;
    if (q.areaId !== undefined && !all && !scope.includes(q.areaId))
      throw new AppError('area_not_yours', `query.areaId: area ${q.areaId} is not one of your areas`, 403, {
        field: 'query.areaId',
        params: { areaId: q.areaId },
      });
    const areas = await d.areas.list();
    const roots = q.areaId !== undefined ? [q.areaId] : all ? areas.filter((a) => a.parentId === null).map((a) => a.id) : p.areaIds;
    const ids = roots.flatMap((id) => [id, ...areas.filter((a) => a.parentId === id).map((a) => a.id)]);
    return { ids: [...new Set(ids)], roots, period: { from: q.from, to: q.to } };
  };
  r.get('/api/reports/evaluation', authorize(d.authorizer, 'report.evaluation'), async (req, res) => {
    const { ids, period } = await rowsOf(req);
    res.json(await d.evaluation.evaluate(ids, period));
  });
  r.get('/api/reports/evaluation.csv', authorize(d.authorizer, 'report.evaluation'), async (req, res) => {
    const { ids, period } = await rowsOf(req);
    const out = await d.evaluation.evaluate(ids, period);
    const day = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="binhyen-danh-gia-${day(out.from)}-${day(out.to)}.csv"`);
    res.send(evaluationCsv(out.areas));
  });
  r.get('/api/reports/commendations', authorize(d.authorizer, 'report.evaluation'), async (req, res) => {
    const { roots, period } = await rowsOf(req);
    const everything = [...new Set((await Promise.all(roots.map((id) => d.areas.descendantIds(id)))).flat())];
    res.json(await d.commendations.list(everything, period));
  });
  r.put('/api/reports/commendations/opt-out', authorize(d.authorizer, 'commendation.optout'), async (req, res) => {
    const { optOut } = parse(optOutBody, req.body, 'body');
    const actor = actorOf(d.authorizer.principalOf(req));
    if (actor.userId !== null) await d.optOut.set(actor.userId, optOut);
    res.json({ optOut });
  });
  r.get('/api/reports/commendations/opt-out', authorize(d.authorizer, 'commendation.optout'), async (req, res) => {
    const actor = actorOf(d.authorizer.principalOf(req));
    res.json({ optOut: actor.userId !== null && (await d.optOut.get(actor.userId)) });
  });
  return r;
}

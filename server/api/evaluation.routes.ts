import { Router, type Request } from 'express';
import { z } from 'zod';
import { accessFor } from '../auth/access.policy.js';
import { authorize, type Authorizer } from '../auth/authorize.js';
import { evaluationCsv, type ReportEvaluation } from '../reports/report.evaluation.js';
import { AppError } from '../shared/errors.js';
import type { Repositories } from '../store/store.js';
import { idQuery, timeParam } from './event.routes.js';
import { parse } from './validate.js';

export interface EvaluationRoutesDeps {
  authorizer: Authorizer;
  evaluation: ReportEvaluation;
  areas: Pick<Repositories['areas'], 'list'>;
}

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
    return d.evaluation.evaluate([...new Set(ids)], { from: q.from, to: q.to });
  };
  r.get('/api/reports/evaluation', authorize(d.authorizer, 'report.evaluation'), async (req, res) => {
    res.json(await rowsOf(req));
  });
  r.get('/api/reports/evaluation.csv', authorize(d.authorizer, 'report.evaluation'), async (req, res) => {
    const out = await rowsOf(req);
    const day = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="binhyen-danh-gia-${day(out.from)}-${day(out.to)}.csv"`);
    res.send(evaluationCsv(out.areas));
  });
  return r;
}

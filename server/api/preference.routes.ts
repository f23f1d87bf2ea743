import { Router, type Request } from 'express';
import { authorize, type Authorizer } from '../auth/authorize.js';
import type { PreferenceService } from '../auth/preference.service.js';
import { userPreferencesSchema } from '../domain/preferences.js';
import { AppError } from '../shared/errors.js';
import { parse } from './validate.js';

export interface PreferenceRoutesDeps {
  authorizer: Authorizer;
  preferences: PreferenceService;
}

/** The signed-in user's own preferences (the wall layout): read all, change some. */
export function preferenceRoutes(d: PreferenceRoutesDeps): Router {
  const r = Router();
  const own = authorize(d.authorizer, 'preferences.own');
  const userOf = (req: Request): number => {
    const id = d.authorizer.principalOf(req).userId;
    if (id === undefined) throw new AppError('unauthenticated', 'sign in required', 401);
    return id;
  };

  r.get('/api/me/preferences', own, async (req, res) => {
    res.json(await d.preferences.get(userOf(req)));
  });

  r.patch('/api/me/preferences', own, async (req, res) => {
    const changes = parse(userPreferencesSchema, req.body, 'body');
    res.json(await d.preferences.save(userOf(req), changes));
  });
  return r;
}

import { Router } from 'express';
import { z } from 'zod';
import { authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import { displayNameSchema, passwordInputSchema, roleSchema, type UserService } from '../auth/user.service.js';
import { notFound } from '../shared/errors.js';
import { userView } from './auth.routes.js';
import { idParams } from './params.js';
import { parse } from './validate.js';

export interface UserRoutesDeps {
  authorizer: Authorizer;
  users: UserService;
}

const areaIds = z.array(z.number().int().positive()).max(200);
const createBody = z
  .object({
    username: z.string().max(64),
    displayName: displayNameSchema.optional(),
    password: passwordInputSchema,
    roles: z.array(roleSchema).min(1).max(4),
    areaIds: areaIds.default([]),
  })
  .strict();
const patchBody = z
  .object({
    displayName: displayNameSchema.optional(),
    roles: z.array(roleSchema).min(1).max(4).optional(),
    areaIds: areaIds.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of displayName, roles, areaIds, disabled');
const passwordBody = z.object({ password: passwordInputSchema }).strict();

/** Admin user management. Changing roles or areas, disabling or resetting a password ends the user's sessions and sockets. */
export function userRoutes(d: UserRoutesDeps): Router {
  const r = Router();
  const userRef = (req: { params: unknown }) => ({ type: 'user', id: parse(idParams, req.params, 'params').id });
  const mustGet = async (id: number) => {
    const u = await d.users.get(id);
    if (!u) throw notFound('user', id);
    return u;
  };

  r.get('/api/users', authorize(d.authorizer, 'user.list'), async (_req, res) => {
    res.json({ users: (await d.users.list()).map(userView) });
  });

  r.get('/api/users/:id', authorize(d.authorizer, 'user.read', userRef), async (req, res) => {
    res.json(userView(await mustGet(parse(idParams, req.params, 'params').id)));
  });

  r.post('/api/users', authorize(d.authorizer, 'user.create'), async (req, res) => {
    const body = parse(createBody, req.body, 'body');
    res.status(201).json(userView(await d.users.add(body, principalOf(req))));
  });

  r.patch('/api/users/:id', authorize(d.authorizer, 'user.update', userRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const body = parse(patchBody, req.body, 'body');
    await mustGet(id);
    res.json(userView(await d.users.update(id, body, principalOf(req))));
  });

  r.post('/api/users/:id/password', authorize(d.authorizer, 'user.password', userRef), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const body = parse(passwordBody, req.body, 'body');
    await d.users.setPassword(id, body.password, principalOf(req));
    res.status(204).end();
  });
  return r;
}

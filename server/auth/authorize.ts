import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, forbidden } from '../shared/errors.js';

/**
 * Every route and socket handler declares the action it performs through `authorize`.
 * The policy is one function, replaced by the real role/area policy once accounts exist;
 * until then only loopback clients may do anything but the public actions.
 */
export const ACTIONS = [
  'health.read',
  'camera.list', 'camera.read', 'camera.create', 'camera.update', 'camera.delete', 'camera.live', 'camera.discover', 'camera.probe',
  'area.list', 'area.create',
  'realtime.subscribe',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions anyone may perform, signed in or not. */
export const PUBLIC_ACTIONS: ReadonlySet<Action> = new Set<Action>(['health.read']);

export interface Principal {
  kind: 'anonymous' | 'loopback' | 'user';
  ip: string;
  userId?: number;
  roles: string[];
  areaIds: number[];
}

/** What the action is performed on, when there is a specific thing (a camera, an event …). */
export interface ResourceRef {
  type: string;
  id?: number | string;
  areaId?: number | null;
}

export type Policy = (principal: Principal, action: Action, resource?: ResourceRef) => boolean | Promise<boolean>;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
export const isLoopback = (ip: string | undefined) => !!ip && LOOPBACK.has(ip);

export const loopbackOnlyPolicy: Policy = (principal, action) =>
  PUBLIC_ACTIONS.has(action) || principal.kind === 'loopback';

export function principalFromIp(ip: string | undefined): Principal {
  const addr = ip ?? '';
  return { kind: isLoopback(addr) ? 'loopback' : 'anonymous', ip: addr, roles: [], areaIds: [] };
}

/** Marker the router-walking test looks for on every route. */
export const AUTH_ACTION = Symbol.for('binhyen.authAction');
export type AuthorizeHandler = RequestHandler & { [AUTH_ACTION]: Action };

export interface Authorizer {
  policy: Policy;
  principalOf(req: Request): Principal;
}

export function createAuthorizer(policy: Policy = loopbackOnlyPolicy): Authorizer {
  return {
    policy,
    principalOf: (req) => (req as Request & { principal?: Principal }).principal ?? principalFromIp(req.socket.remoteAddress),
  };
}

/**
 * Route middleware: declares `action` and checks it against the policy. `resource` resolves
 * what is acted on (for per-area checks); it may throw AppError (e.g. not found).
 */
export function authorize(
  authorizer: Authorizer,
  action: Action,
  resource?: (req: Request) => ResourceRef | undefined | Promise<ResourceRef | undefined>,
): AuthorizeHandler {
  const handler = (async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const principal = authorizer.principalOf(req);
      const ref = resource ? await resource(req) : undefined;
      if (!(await authorizer.policy(principal, action, ref))) {
        throw principal.kind === 'anonymous' && !isLoopback(principal.ip)
          ? new AppError('unauthenticated', 'sign in required', 401)
          : forbidden(action);
      }
      next();
    } catch (err) {
      next(err);
    }
  }) as AuthorizeHandler;
  handler[AUTH_ACTION] = action;
  return handler;
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../domain/access.js';
import { AppError, forbidden } from '../shared/errors.js';

/**
 * Every route and socket handler declares the action it performs through `authorize`.
 * What each role may do per action is data in access.matrix.ts (the compiler demands a row
 * per action); the checks on a specific thing (area, visibility) live in access.policy.ts.
 * Add an action here, then its row in access.matrix.ts.
 */
export const ACTIONS = [
  'health.read',
  'auth.session',
  'auth.setup',
  'auth.login',
  'auth.logout',
  'auth.password',
  'user.list',
  'user.read',
  'user.create',
  'user.update',
  'user.password',
  'area.list',
  'area.create',
  'area.update',
  'audit.list',
  'audit.verify',
  'camera.list',
  'camera.read',
  'camera.create',
  'camera.update',
  'camera.delete',
  'camera.publish',
  'camera.live',
  'camera.discover',
  'camera.probe',
  'camera.test',
  'camera.ptz',
  'settings.read',
  'settings.update',
  'event.list',
  'event.read',
  'event.snapshot',
  'event.update',
  'event.share',
  'clip.list',
  'clip.read',
  'clip.download',
  'clip.export',
  'alert.list',
  'alert.read',
  'alert.update',
  'note.list',
  'note.create',
  'comment.list',
  'comment.create',
  'report.list',
  'report.read',
  'report.photo',
  'report.create',
  'report.update',
  'report.note',
  'report.footage',
  'report.evidence',
  'report.evaluation',
  'announcement.list',
  'announcement.create',
  'announcement.read',
  'announcement.photo',
  'commendation.optout',
  'group.list',
  'group.manage',
  'reportlink.manage',
  'public.report',
  'public.status',
  'camera.notify',
  'realtime.subscribe',
  'notify.admin',
  'notify.rules',
  'preferences.own',
] as const;
export type Action = (typeof ACTIONS)[number];

export { ROLES, type Role } from '../domain/access.js';

/** Who is asking. Built once per request (session middleware) and per socket (handshake). */
export interface Principal {
  /** 'loopback' exists only for loopbackOnlyPolicy (route-module tests); the server never makes one. */
  kind: 'anonymous' | 'loopback' | 'user';
  ip: string;
  userId?: number;
  username?: string;
  roles: Role[];
  /** Areas the user is assigned to. */
  areaIds: number[];
  /** Those areas and every area under them: what "own area" means in the policy. */
  areaScope?: number[];
  /** The groups the user leads and every area under them: what a group leader's "own group" means. */
  leadScope?: number[];
  /** sha256 of the session token (never the token): revocation and socket re-checks use it. */
  sessionHash?: string;
  sessionExpiresAt?: number;
}

/**
 * What the action is performed on. `visibility` is the thing's own ('internal' | 'shared' for
 * events, clips, alerts; 'internal' | 'public' for notes); `eventVisibility` is the visibility
 * of the event a note or comment belongs to.
 */
export interface ResourceRef {
  type: string;
  id?: number | string;
  areaId?: number | null;
  visibility?: string;
  eventVisibility?: string;
  /** Who filed it (reports): residents see only their own. */
  ownerId?: number | null;
  /** A new report filed for someone else (group leaders only). */
  onBehalf?: boolean;
  /** The areas an announcement reaches (its own and those under it). */
  reach?: number[];
}

export type Policy = (principal: Principal, action: Action, resource?: ResourceRef) => boolean | Promise<boolean>;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
export const isLoopback = (ip: string | undefined) => !!ip && LOOPBACK.has(ip);

/** Health is the one thing anyone may read (plus signing in, in access.matrix.ts). */
export const PUBLIC_ACTIONS: ReadonlySet<Action> = new Set<Action>(['health.read']);

/**
 * The pre-accounts policy, kept only so route modules can be unit-tested without sessions.
 * The server uses accessPolicy (access.policy.ts): loopback is not privileged there.
 */
export const loopbackOnlyPolicy: Policy = (principal, action) => PUBLIC_ACTIONS.has(action) || principal.kind === 'loopback';

export function principalFromIp(ip: string | undefined): Principal {
  const addr = ip ?? '';
  return { kind: isLoopback(addr) ? 'loopback' : 'anonymous', ip: addr, roles: [], areaIds: [] };
}

export function anonymousPrincipal(ip: string | undefined): Principal {
  return { kind: 'anonymous', ip: ip ?? '', roles: [], areaIds: [], areaScope: [] };
}

/** Marker the router-walking test looks for on every route. */
export const AUTH_ACTION = Symbol.for('binhyen.authAction');
export type AuthorizeHandler = RequestHandler & { [AUTH_ACTION]: Action };

export interface Authorizer {
  policy: Policy;
  /**
   * Optional cheap first check without the resource: may this principal attempt the action at
   * all? Refusing here means a forbidden caller never learns whether an id exists.
   */
  gate?: (principal: Principal, action: Action) => boolean;
  /**
   * Optional: for this principal and action, a thing that exists but may not be seen answers
   * exactly like a missing one (404), so ids cannot be probed (residents, issue 12).
   */
  conceal?: (principal: Principal, action: Action) => boolean;
  principalOf(req: Request): Principal;
}

/** The one answer for "no such thing" and "not yours to see" when concealing. */
export const concealedNotFound = () => new AppError('not_found', 'not found', 404);

type RequestWithPrincipal = Request & { principal?: Principal };

/** The principal the session middleware attached to the request (anonymous when none). */
export function principalOf(req: Request): Principal {
  return (req as RequestWithPrincipal).principal ?? anonymousPrincipal(req.ip ?? req.socket.remoteAddress);
}

export function setPrincipal(req: Request, principal: Principal): void {
  (req as RequestWithPrincipal).principal = principal;
}

export function createAuthorizer(policy: Policy = loopbackOnlyPolicy, gate?: Authorizer['gate']): Authorizer {
  return {
    policy,
    gate,
    principalOf: (req) => (req as RequestWithPrincipal).principal ?? principalFromIp(req.socket.remoteAddress),
  };
}

/** What authorize() found, for the audit middleware that records it when the response ends. */
export interface AuthorizedLocals {
  action: Action;
  resource?: ResourceRef;
  principal: Principal;
}
export const AUTHORIZED = Symbol.for('binhyen.authorized');

export function authorizedOf(res: Response): AuthorizedLocals | undefined {
  return (res.locals as Record<symbol, AuthorizedLocals | undefined>)[AUTHORIZED];
}

const AUDIT_DETAIL = Symbol.for('binhyen.auditDetail');

/** What a route adds to the audit entry of a successful change (e.g. the fields it changed). */
export function addAuditDetail(res: Response, detail: Record<string, unknown>): void {
  const locals = res.locals as Record<symbol, Record<string, unknown> | undefined>;
  locals[AUDIT_DETAIL] = { ...locals[AUDIT_DETAIL], ...detail };
}

export function auditDetailOf(res: Response): Record<string, unknown> | undefined {
  return (res.locals as Record<symbol, Record<string, unknown> | undefined>)[AUDIT_DETAIL];
}

function refuse(principal: Principal, action: Action): AppError {
  return principal.kind === 'user' || principal.kind === 'loopback' ? forbidden(action) : new AppError('unauthenticated', 'sign in required', 401);
}

async function resolveOrConceal(resource: (req: Request) => ResourceRef | undefined | Promise<ResourceRef | undefined>, req: Request, conceal: boolean) {
  try {
    return await resource(req);
  } catch (err) {
    if (conceal && err instanceof AppError && err.status === 404) throw concealedNotFound();
    throw err;
  }
}

/**
 * Route middleware: declares `action` and checks it against the policy. `resource` resolves
 * what is acted on (for per-area checks); it may throw AppError (e.g. not found). It runs
 * only after the gate, so a caller with no right to the action gets 401/403, never 404.
 */
export function authorize(
  authorizer: Authorizer,
  action: Action,
  resource?: (req: Request) => ResourceRef | undefined | Promise<ResourceRef | undefined>,
): AuthorizeHandler {
  const handler = (async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = authorizer.principalOf(req);
      if (authorizer.gate && !authorizer.gate(principal, action)) throw refuse(principal, action);
      const conceal = authorizer.conceal?.(principal, action) ?? false;
      const ref = resource ? await resolveOrConceal(resource, req, conceal) : undefined;
      if (!(await authorizer.policy(principal, action, ref))) throw conceal && ref ? concealedNotFound() : refuse(principal, action);
      (res.locals as Record<symbol, AuthorizedLocals>)[AUTHORIZED] = { action, resource: ref, principal };
      next();
    } catch (err) {
      next(err);
    }
  }) as AuthorizeHandler;
  handler[AUTH_ACTION] = action;
  return handler;
}

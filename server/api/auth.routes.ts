import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AuditAggregator } from '../auth/audit.aggregate.js';
import type { AuditLog } from '../auth/audit.log.js';
import { authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import type { LoginAttempt, LoginLimiter } from '../auth/login.limiter.js';
import { HashPoolBusyError } from '../auth/password.pool.js';
import type { RevocationHub } from '../auth/revocation.hub.js';
import { clearedSessionCookie, sessionCookie } from '../auth/session.cookie.js';
import type { SessionService } from '../auth/session.service.js';
import type { SetupService } from '../auth/setup.service.js';
import { passwordInputSchema, type UserService } from '../auth/user.service.js';
import { AppError } from '../shared/errors.js';
import type { UserRecord } from '../store/user.repository.js';
import { parse } from './validate.js';

export interface AuthRoutesDeps {
  authorizer: Authorizer;
  users: UserService;
  sessions: SessionService;
  setup: SetupService;
  limiter: LoginLimiter;
  audit: AuditLog;
  refusals: AuditAggregator;
  revocations: RevocationHub;
  secureCookie(req: Request): boolean;
}

/** What the UI learns about the signed-in user. */
export function userView(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    areaIds: u.areaIds,
    disabled: u.disabled,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

const loginBody = z.object({ username: z.string().max(64), password: passwordInputSchema }).strict();
const setupBody = z
  .object({ code: z.string().max(64), username: z.string().max(64), displayName: z.string().max(200).optional(), password: passwordInputSchema })
  .strict();
const passwordBody = z.object({ currentPassword: passwordInputSchema, newPassword: passwordInputSchema }).strict();

const ipOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? '';
const limiterKey = (username: string) => username.trim().toLowerCase().slice(0, 64);

function refuseRateLimited(res: Response, retryAfterSeconds: number): never {
  res.set('Retry-After', String(retryAfterSeconds));
  throw new AppError('rate_limited', `too many failed attempts; try again in ${retryAfterSeconds} s`, 429, { params: { retryAfterSeconds } });
}

export function authRoutes(d: AuthRoutesDeps): Router {
  const r = Router();
  const startSession = async (req: Request, res: Response, user: UserRecord) => {
    const s = await d.sessions.create(user.id, ipOf(req));
    res.append('Set-Cookie', sessionCookie(s.token, { secure: d.secureCookie(req), maxAgeSeconds: d.sessions.absoluteMs / 1000 }));
    return { user: userView(user), expiresAt: s.expiresAt };
  };

  r.get('/api/auth/session', authorize(d.authorizer, 'auth.session'), async (req, res) => {
    const p = principalOf(req);
    const user = p.kind === 'user' && p.userId !== undefined ? await d.users.get(p.userId) : undefined;
    res.json({ setupRequired: d.setup.pending, user: user ? userView(user) : null, expiresAt: user ? (p.sessionExpiresAt ?? null) : null });
  });

  r.post('/api/setup', authorize(d.authorizer, 'auth.setup'), async (req, res) => {
    const ip = ipOf(req);
    const verdict = d.limiter.check(ip);
    if (!verdict.ok) refuseRateLimited(res, verdict.retryAfterSeconds);
    const body = parse(setupBody, req.body, 'body');
    try {
      const user = await d.setup.complete(body.code, { username: body.username, displayName: body.displayName, password: body.password }, ip);
      await d.audit.record({ principal: undefined, username: user.username, ip, action: 'auth.setup', resource: { type: 'user', id: user.id } });
      res.status(201).json(await startSession(req, res, user));
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_setup_code') {
        d.limiter.fail(ip);
        await d.audit.record({ username: null, ip, action: 'auth.setup.failure', detail: { reason: err.code } });
      }
      throw err;
    }
  });

  /**
   * The password is checked only under a reservation in the limiter (so a parallel burst cannot
   * outrun it), and on the bounded hashing pool (so a flood is answered 503 at once instead of
   * queueing). Refusals are audited aggregated; wrong passwords, bounded by the limiter, one row each.
   */
  const checkPassword = async (res: Response, attempt: LoginAttempt, ip: string, key: string, body: z.infer<typeof loginBody>) => {
    try {
      return await d.users.authenticate(body.username, body.password);
    } catch (err) {
      attempt.release();
      if (err instanceof HashPoolBusyError) {
        // One key for all: a busy pool means many clients at once, and one row each would load the database.
        d.refusals.note('busy', { username: key, ip, action: 'auth.login.busy' }, `${ip} ${key}`);
        res.set('Retry-After', String(err.retryAfterSeconds));
      }
      throw err;
    }
  };

  r.post('/api/auth/login', authorize(d.authorizer, 'auth.login'), async (req, res) => {
    const ip = ipOf(req);
    const body = parse(loginBody, req.body, 'body');
    const key = limiterKey(body.username);
    const reserved = d.limiter.reserve(ip, key);
    if (!reserved.ok) {
      // Per address when the address is over its limit (many usernames), per username when that is (many addresses).
      const who = reserved.scope === 'ip' ? ip : key;
      d.refusals.note(
        `refused|${reserved.scope}|${who}`,
        { username: key, ip, action: 'auth.login.refused', detail: { scope: reserved.scope, retryAfterSeconds: reserved.retryAfterSeconds } },
        `${ip} ${key}`,
      );
      refuseRateLimited(res, reserved.retryAfterSeconds);
    }
    const user = await checkPassword(res, reserved.attempt, ip, key, body);
    if (!user) {
      reserved.attempt.fail();
      await d.audit.record({ username: key, ip, action: 'auth.login.failure' });
      throw new AppError('invalid_credentials', 'wrong username or password', 401);
    }
    reserved.attempt.succeed();
    const reply = await startSession(req, res, user);
    await d.audit.record({ username: user.username, ip, action: 'auth.login.success', resource: { type: 'user', id: user.id } });
    res.json(reply);
  });

  r.post('/api/auth/logout', authorize(d.authorizer, 'auth.logout'), async (req, res) => {
    const p = principalOf(req);
    if (p.sessionHash) {
      await d.sessions.revoke(p.sessionHash);
      d.revocations.session(p.sessionHash);
    }
    await d.audit.record({ principal: p, action: 'auth.logout' });
    res.append('Set-Cookie', clearedSessionCookie(d.secureCookie(req)));
    res.status(204).end();
  });

  r.post('/api/auth/password', authorize(d.authorizer, 'auth.password'), async (req, res) => {
    const p = principalOf(req);
    const body = parse(passwordBody, req.body, 'body');
    // Ends every session of the user, this one included, and cuts their sockets; this client gets a new session.
    await d.users.changeOwnPassword(p, body.currentPassword, body.newPassword);
    const user = (await d.users.get(p.userId!))!;
    res.json(await startSession(req, res, user));
  });
  return r;
}

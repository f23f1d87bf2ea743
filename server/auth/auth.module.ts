import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import type { ResolvedConfig } from '../config/config.load.js';
import type { AuthConfig } from '../config/config.schema.js';
import { loadOrCreateKey } from '../shared/key.file.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../store/store.js';
import { isSqlite } from '../store/db.js';
import { createAccessAuthorizer } from './access.policy.js';
import { AuditAggregator } from './audit.aggregate.js';
import { AnchorFile } from './audit.anchor.js';
import { AuditKey } from './audit.chain.js';
import { AuditLog } from './audit.log.js';
import type { Authorizer } from './authorize.js';
import { LoginLimiter } from './login.limiter.js';
import { PasswordHasher } from './password.hasher.js';
import { ScryptPool } from './password.pool.js';
import { RevocationHub } from './revocation.hub.js';
import { auditMiddleware, checkHost, rejectHostileBodies, rejectHostileUrls, sameOriginForChanges, sessionMiddleware } from './security.middleware.js';
import { SessionService, systemClock, type Clock } from './session.service.js';
import { SetupService } from './setup.service.js';
import { UserService } from './user.service.js';

/**
 * Builds accounts, sessions, the policy, audit and the request middlewares from the store and
 * config. It returns services only: main.ts builds the routes (api/) and the socket
 * handshake (realtime/) from them, wires `before` and `afterBody` into createApp, and calls
 * start()/stop().
 */
export interface AuthModule {
  authorizer: Authorizer;
  users: UserService;
  sessions: SessionService;
  setup: SetupService;
  audit: AuditLog;
  /** Aggregated audit of refusals (rate-limited, busy, 403): flush() writes the pending counts. */
  refusals: AuditAggregator;
  /** The password hashing threads. */
  hashPool: ScryptPool;
  limiter: LoginLimiter;
  revocations: RevocationHub;
  /** express 'trust proxy' value. */
  trustProxy: boolean | number | string;
  /** Every request, before the body is read: URL checks, Origin check, session, audit. */
  before: RequestHandler[];
  /** /api after the JSON body is parsed. */
  afterBody: RequestHandler[];
  /** Whether the session cookie gets `Secure` for this request. */
  secureCookie(req: Request): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AuthModuleDeps {
  store: Store;
  config: { auth: AuthConfig; dataDir: string; host?: string; audit: ResolvedConfig['audit']; onvif?: ResolvedConfig['onvif'] };
  log: Logger;
  clock?: Clock;
}

const notifyHosts = (url: string | undefined) => (url ? [new URL(url).hostname] : []);

export function trustProxyValue(setting: string): boolean | number | string {
  const s = setting.trim();
  if (s === '' || s.toLowerCase() === 'false') return false;
  return /^\d+$/.test(s) ? Number(s) : s;
}

/**
 * The audit log over the store, sealed with the audit key (created on first use, like the
 * credentials key); `anchored` (the server) also keeps the anchor file.
 */
export function createAuditLog(d: AuthModuleDeps, anchored: boolean): AuditLog {
  const c = d.config.audit;
  const key = new AuditKey(loadOrCreateKey(c.keyFile, d.log, 'the audit chain'));
  const anchor = anchored ? { anchor: new AnchorFile(c.anchorFile, key), anchorEveryMs: c.anchorMinutes * 60_000 } : {};
  return new AuditLog(d.store.audit, d.clock ?? systemClock, d.log.child('audit'), { key, ...anchor });
}

/**
 * Services only: what the CLI needs (no HTTP, no sockets). With `hashPool` passwords are hashed
 * on its threads (the server); without, on libuv's pool (the CLI, where nothing competes).
 */
export function createAccountServices(d: AuthModuleDeps, hashPool?: ScryptPool, audit = createAuditLog(d, false)) {
  const clock = d.clock ?? systemClock;
  const a = d.config.auth;
  const sessions = new SessionService({
    sessions: d.store.sessions,
    users: d.store.users,
    areas: d.store.areas,
    clock,
    idleMs: a.idleTimeoutSeconds * 1000,
    absoluteMs: a.absoluteTimeoutSeconds * 1000,
    // PostgreSQL has a pool: separate queries do not queue behind each other there.
    ...(isSqlite(d.store.db) ? { together: (fn) => d.store.transaction(fn) } : {}),
  });
  const revocations = new RevocationHub();
  const users = new UserService({
    store: d.store,
    hasher: new PasswordHasher(a.scryptLog2N, 8, 1, hashPool),
    sessions,
    revocations,
    audit,
    minPasswordLength: a.passwordMinLength,
  });
  return { clock, audit, sessions, revocations, users };
}

export function createAuth(d: AuthModuleDeps): AuthModule {
  const a = d.config.auth;
  const hashPool = new ScryptPool({ workers: a.hashWorkers, maxQueue: a.hashQueueMax });
  const { clock, audit, sessions, revocations, users } = createAccountServices(d, hashPool, createAuditLog(d, true));
  const refusals = new AuditAggregator(audit, () => clock.now(), d.log, { windowMs: a.refusalAuditWindowSeconds * 1000, maxKeys: 200 });
  const authorizer = createAccessAuthorizer();
  const setup = new SetupService(users, path.join(d.config.dataDir, 'setup-code.txt'), d.log);
  const limiter = new LoginLimiter({ maxPerUser: a.loginMaxFailuresPerUser, maxPerIp: a.loginMaxFailuresPerIp, windowMs: a.loginWindowSeconds * 1000, clock });
  const secureCookie = (req: Request) => a.secureCookie === 'always' || (a.secureCookie === 'auto' && req.secure);
  let purgeTimer: NodeJS.Timeout | undefined;
  const onApi =
    (mw: RequestHandler): RequestHandler =>
    (req, res, next) =>
      req.path.startsWith('/api/') ? mw(req, res, next) : next();

  return {
    authorizer,
    users,
    sessions,
    setup,
    audit,
    refusals,
    hashPool,
    limiter,
    revocations,
    secureCookie,
    trustProxy: trustProxyValue(a.trustProxy),
    before: [
      // Cameras post their events (base notification) with the host of onvif.notifyBaseUrl.
      checkHost([...a.allowedHosts, ...notifyHosts(d.config.onvif?.notifyBaseUrl)], d.config.host),
      rejectHostileUrls(),
      sameOriginForChanges(a.allowedOrigins),
      onApi(sessionMiddleware(sessions, secureCookie)),
      auditMiddleware(audit, d.log, clock, refusals),
    ],
    afterBody: [rejectHostileBodies()],
    async start() {
      await audit.start();
      await setup.init();
      refusals.start();
      const purge = () => sessions.purge().catch((err: unknown) => d.log.error('session purge failed', { err }));
      purgeTimer = setInterval(purge, 3_600_000);
      purgeTimer.unref();
    },
    async stop() {
      if (purgeTimer) clearInterval(purgeTimer);
      await refusals.stop();
      await hashPool.close();
      await audit.stop();
    },
  };
}

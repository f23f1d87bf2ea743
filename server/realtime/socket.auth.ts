import type { IncomingMessage } from 'node:http';
import type { RevocationHub } from '../auth/revocation.hub.js';
import { originAllowed } from '../auth/security.middleware.js';
import { sessionTokenFrom } from '../auth/session.cookie.js';
import type { SessionService } from '../auth/session.service.js';
import type { Logger } from '../shared/log.js';
import { ROOMS, type AppIo, type AppSocket } from './socket.server.js';

/**
 * socket.io authentication: the handshake must come from our own origin (allowRequest: cors
 * does not gate WebSocket upgrades) and carry an open session cookie (io.use). Every incoming
 * packet re-checks the session, revocations cut the user's sockets at once, and a periodic
 * sweep catches sessions ended elsewhere (the CLI, idle or absolute timeout). Connection-state
 * recovery is not used: it would let a reconnect skip this middleware.
 */
export interface SocketAuthDeps {
  sessions: SessionService;
  revocations: RevocationHub;
  allowedOrigins: readonly string[];
  log: Logger;
  recheckMs: number;
}

type Next = (err?: Error & { data?: unknown }) => void;

const refusal = (code: string, message: string) => Object.assign(new Error(message), { data: { code } });

export class SocketAuth {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly d: SocketAuthDeps) {}

  /** engine.io allowRequest: refuses a handshake or upgrade from another site's page. */
  readonly allowRequest = (req: IncomingMessage, cb: (err: string | null | undefined, ok: boolean) => void): void => {
    if (originAllowed(req.headers, this.d.allowedOrigins)) cb(null, true);
    else cb('foreign origin', false);
  };

  /** io.use: the session cookie decides who the socket is; no session, no socket. */
  readonly middleware = async (socket: AppSocket, next: Next): Promise<void> => {
    try {
      const token = sessionTokenFrom(socket.request.headers.cookie);
      const principal = await this.d.sessions.principalFor(token, socket.handshake.address);
      if (!principal) return next(refusal('unauthenticated', 'sign in required'));
      socket.data.principal = principal;
      next();
    } catch (err) {
      this.d.log.error('socket authentication failed', { err });
      next(refusal('internal', 'internal error'));
    }
  };

  /** Wires rooms for revocation, the per-packet check, revocation listeners and the sweep. */
  attach(io: AppIo): void {
    io.on('connection', (socket) => {
      const p = socket.data.principal;
      if (p.userId !== undefined) void socket.join(ROOMS.user(p.userId));
      if (p.sessionHash) void socket.join(ROOMS.session(p.sessionHash));
      socket.use((_packet, next) => {
        this.packetAllowed(socket).then(
          (ok) => (ok ? next() : socket.disconnect(true)),
          (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
        );
      });
    });
    this.unsubscribe = this.d.revocations.on((r) => {
      const room = r.kind === 'user' ? ROOMS.user(r.userId) : ROOMS.session(r.sessionHash);
      io.in(room).disconnectSockets(true);
    });
    this.timer = setInterval(() => {
      this.sweep(io).catch((err: unknown) => this.d.log.error('socket session sweep failed', { err }));
    }, this.d.recheckMs);
    this.timer.unref();
  }

  detach(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private async packetAllowed(socket: AppSocket): Promise<boolean> {
    const hash = socket.data.principal.sessionHash;
    return hash !== undefined && this.d.sessions.checkOpen(hash);
  }

  /** Disconnects local sockets whose session is no longer open. */
  async sweep(io: AppIo): Promise<number> {
    const sockets = [...io.of('/').sockets.values()];
    const hashes = [...new Set(sockets.map((s) => s.data.principal?.sessionHash).filter((h): h is string => !!h))];
    const open = await this.d.sessions.stillOpen(hashes);
    let cut = 0;
    for (const s of sockets) {
      const h = s.data.principal?.sessionHash;
      if (!h || !open.has(h)) {
        s.disconnect(true);
        cut += 1;
      }
    }
    return cut;
  }
}

import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { Action, Authorizer, Principal, ResourceRef } from '../auth/authorize.js';
import { principalFromIp } from '../auth/authorize.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { SocketAuth } from './socket.auth.js';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '../domain/socket.events.js';

/** Per-socket data: who it is, and where handler failures are logged. */
export interface AppSocketData {
  principal: Principal;
  log?: Logger;
}
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, AppSocketData>;
export type AppIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, AppSocketData>;

/** Every client event with the action it performs: the compiler forces an entry per event. */
export const SOCKET_ACTIONS: Record<ClientEventName, Action> = {
  'cameras:subscribe': 'camera.list',
  'alerts:subscribe': 'alert.list',
  'alerts:since': 'alert.list',
  'reports:subscribe': 'report.list',
  'announcements:subscribe': 'announcement.list',
  'live:start': 'camera.live',
  'live:stop': 'camera.live',
};

export const ROOMS = {
  police: 'role:police',
  camera: (id: number) => `camera:${id}`,
  area: (id: number) => `area:${id}`,
  /** Residents' reports: every report (admins), and the reports of one area (its police). */
  reportsAll: 'reports:all',
  reportsArea: (id: number) => `reports:area:${id}`,
  /** The reports of one community group, in the reporter's view (its group leaders). */
  reportsGroup: (id: number) => `reports:group:${id}`,
  /** Area announcements: every one (admins), and those reaching one area. */
  announcementsAll: 'announcements:all',
  announcementsArea: (id: number) => `announcements:area:${id}`,
  /** So a revocation reaches every socket of that user, or of one session. */
  user: (userId: number) => `user:${userId}`,
  session: (sessionHash: string) => `session:${sessionHash.slice(0, 24)}`,
} as const;

/**
 * With `auth` (the server), handshakes need our Origin and an open session. Without it (route
 * and handler unit tests only) sockets get the loopback test principal. No connectionStateRecovery:
 * its recovered reconnects skip io.use middleware.
 */
export function createSocketServer(
  http: HttpServer,
  authorizer: Authorizer,
  log: Logger,
  auth?: SocketAuth,
  /** A cluster node's fan-out to the other nodes (cluster/redis.fanout.ts); one node: in memory. */
  adapter?: ServerOptions['adapter'],
): AppIo {
  const io: AppIo = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024, allowRequest: auth?.allowRequest, ...(adapter ? { adapter } : {}) });
  if (auth) {
    io.use((socket, next) => void auth.middleware(socket, next));
    auth.attach(io);
  } else {
    io.use((socket, next) => {
      socket.data.principal = principalFromIp(socket.handshake.address);
      next();
    });
  }
  io.use((socket, next) => {
    socket.data.log = log;
    next();
  });
  io.engine.on('connection_error', (err: { code: number; message: string }) => log.debug('socket connection error', { code: err.code, message: err.message }));
  return io;
}

type Handler<E extends ClientEventName> = (socket: AppSocket, ...args: Parameters<ClientToServerEvents[E]>) => Promise<void> | void;

/**
 * Registers a client event handler behind the policy check for its declared action.
 * A refused or failed call answers the ack with an error code instead of throwing.
 */
export function onAuthorized<E extends ClientEventName>(
  socket: AppSocket,
  authorizer: Authorizer,
  event: E,
  handler: Handler<E>,
  /** What the event acts on, for per-area checks (same rule as authorize()'s resolver). */
  resource?: (...args: Parameters<ClientToServerEvents[E]>) => ResourceRef | undefined | Promise<ResourceRef | undefined>,
): void {
  const action = SOCKET_ACTIONS[event];
  const listener = async (...args: unknown[]) => {
    const ack = args[args.length - 1];
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => {};
    try {
      const p = socket.data.principal;
      const typed = args as Parameters<ClientToServerEvents[E]>;
      const allowed = (!authorizer.gate || authorizer.gate(p, action)) && (await authorizer.policy(p, action, resource ? await resource(...typed) : undefined));
      if (!allowed) {
        reply({ ok: false, error: { code: 'forbidden', message: `not allowed: ${action}` } });
        return;
      }
      await handler(socket, ...typed);
    } catch (err) {
      // AppErrors are meant for users; anything else is logged and stays on the server.
      if (!(err instanceof AppError)) socket.data.log?.error('socket handler failed', { event, err });
      reply({ ok: false, error: err instanceof AppError ? { code: err.code, message: err.message } : { code: 'internal', message: 'internal error' } });
    }
  };
  socket.on(event, listener as never);
}

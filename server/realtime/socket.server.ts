import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Action, Authorizer, Principal } from '../auth/authorize.js';
import { principalFromIp } from '../auth/authorize.js';
import type { Logger } from '../shared/log.js';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from './socket.events.js';

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { principal: Principal }>;
export type AppIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { principal: Principal }>;

/** Every client event with the action it performs: the compiler forces an entry per event. */
export const SOCKET_ACTIONS: Record<ClientEventName, Action> = {
  'cameras:subscribe': 'realtime.subscribe',
};

export const ROOMS = {
  police: 'role:police',
  camera: (id: number) => `camera:${id}`,
  area: (id: number) => `area:${id}`,
} as const;

export function createSocketServer(http: HttpServer, authorizer: Authorizer, log: Logger): AppIo {
  const io: AppIo = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  io.use((socket, next) => {
    socket.data.principal = principalFromIp(socket.handshake.address);
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
export function onAuthorized<E extends ClientEventName>(socket: AppSocket, authorizer: Authorizer, event: E, handler: Handler<E>): void {
  const action = SOCKET_ACTIONS[event];
  const listener = async (...args: unknown[]) => {
    const ack = args[args.length - 1];
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => {};
    try {
      if (!(await authorizer.policy(socket.data.principal, action))) {
        reply({ ok: false, error: { code: 'forbidden', message: `not allowed: ${action}` } });
        return;
      }
      await handler(socket, ...(args as Parameters<ClientToServerEvents[E]>));
    } catch (err) {
      reply({ ok: false, error: { code: 'internal', message: (err as Error).message } });
    }
  };
  socket.on(event, listener as never);
}

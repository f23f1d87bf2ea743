import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../api/types.js';

/** Typed with the server's own event maps (server/realtime/socket.events.ts), never a copy. */
export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const ACK_TIMEOUT_MS = 15_000;

/** Same origin, session cookie; socket.io retries with backoff up to 5 s between attempts. */
export function connectSocket(): AppSocket {
  return io({ withCredentials: true, reconnectionDelay: 500, reconnectionDelayMax: 5_000, randomizationFactor: 0.3 });
}

export class SocketAckError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

type AckData<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** Emits a client event and waits for its ack; a refused call or a timeout throws SocketAckError. */
export async function call<E extends keyof ClientToServerEvents>(
  socket: AppSocket,
  event: E,
  req: Parameters<ClientToServerEvents[E]>[0],
): Promise<Extract<AckData<E>, { ok: true }>['data']> {
  let reply: AckData<E>;
  try {
    // socket.io's typing of emitWithAck over a generic event name is too loose to check here.
    reply = await (socket.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck(e: string, r: unknown): Promise<AckData<E>> }).emitWithAck(event, req);
  } catch {
    throw new SocketAckError('timeout');
  }
  if (!reply.ok) throw new SocketAckError(reply.error.code);
  return (reply as Extract<AckData<E>, { ok: true }>).data;
}

import type { Server } from 'node:http';

/** Listens on 127.0.0.1:`port` (0: any free one); resolves with the port, so a restarted stand-in can take the same one back. */
export async function listenLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Down like a receiver that went away: the open connections are cut too, not left to finish. */
export async function closeNow(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

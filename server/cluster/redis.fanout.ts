import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Logger } from '../shared/log.js';

/**
 * socket.io fan-out between the nodes through Redis streams (issue 16 item 3): an alert pushed
 * to a room on the node that owns the camera reaches the sockets in that room on every node.
 * The streams adapter (not the classic pub/sub one) resumes after a Redis hiccup without
 * losing messages. Catch-up after a reconnect, to this or any node, stays the database cursor
 * the clients already send (`alerts:subscribe { afterId }`): the database is shared.
 */
export interface RedisFanout {
  adapter: ReturnType<typeof createAdapter>;
  /** Whether the Redis connection is up (health turns degraded when not). */
  ready(): boolean;
  close(): Promise<void>;
}

export async function openRedisFanout(d: { url: string; streamName: string; log: Logger }): Promise<RedisFanout> {
  const client = createClient({ url: d.url, socket: { reconnectStrategy: (retries) => Math.min(retries * 200, 3000) } });
  let lastError = '';
  client.on('error', (err: Error) => {
    // node-redis reconnects by itself; log a changed reason once, not every retry.
    if (err.message !== lastError) d.log.warn('redis connection problem', { err: err.message });
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) d.log.info('redis connection back');
    lastError = '';
  });
  await client.connect();
  const adapter = createAdapter(client, {
    streamName: d.streamName,
    channelPrefix: d.streamName,
    sessionKeyPrefix: `${d.streamName}:session:`,
    maxLen: 10_000,
    blockTimeInMs: 1_000,
  });
  return {
    adapter,
    ready: () => client.isReady,
    close: async () => {
      // The adapter's XREAD loop ends when the client closes.
      await client.close().catch(() => undefined);
    },
  };
}

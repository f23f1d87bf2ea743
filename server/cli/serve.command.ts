import { loadConfig } from '../config/config.load.js';
import { startServer } from '../main.js';
import { createLogger } from '../shared/log.js';

/** `binhyen serve`: start, then stop cleanly on SIGINT/SIGTERM (every ffmpeg, the database). */
export async function serve(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info(`${signal} received, shutting down`);
      server.close().then(resolve, (err: unknown) => {
        log.error('shutdown failed', { err });
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

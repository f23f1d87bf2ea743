import { configFrom, type ResolvedConfig } from '../../server/config/config.load.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { createLogger, type Logger } from '../../server/shared/log.js';
import { tempDir } from './tmp.js';

export interface TestServer extends RunningServer {
  config: ResolvedConfig;
  logs: string[];
  stop(): Promise<void>;
}

/** A real server on an ephemeral loopback port with its own data dir; logs are captured for assertions. */
export async function startTestServer(overrides: Record<string, unknown> = {}, log?: Logger): Promise<TestServer> {
  const tmp = tempDir('binhyen-srv-');
  const logs: string[] = [];
  const config = configFrom({ port: 0, host: '127.0.0.1', dataDir: tmp.dir, demoCamera: false, ...overrides });
  const server = await startServer(config, log ?? createLogger('debug', (l) => logs.push(l)));
  return {
    ...server,
    config,
    logs,
    stop: async () => {
      await server.close();
      tmp.remove();
    },
  };
}

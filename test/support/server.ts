import { configFrom, type ResolvedConfig } from '../../server/config/config.load.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { createLogger, type Logger } from '../../server/shared/log.js';
import { tempDir } from './tmp.js';

export interface TestServer extends RunningServer {
  config: ResolvedConfig;
  logs: string[];
  stop(): Promise<void>;
}

/**
 * The simulated cameras of the tests run on loopback, which the camera address ranges refuse by
 * default (issue 12 finding 6): test servers allow it explicitly. security.ssrf.test.ts passes
 * its own `cameraNetwork` to test the defaults.
 */
export const TEST_CAMERA_NETWORK = { allow: ['127.0.0.0/8'] };

/** A real server on an ephemeral loopback port with its own data dir; logs are captured for assertions. */
export async function startTestServer(overrides: Record<string, unknown> = {}, log?: Logger): Promise<TestServer> {
  const tmp = tempDir('binhyen-srv-');
  const logs: string[] = [];
  const config = configFrom({ port: 0, host: '127.0.0.1', dataDir: tmp.dir, demoCamera: false, cameraNetwork: TEST_CAMERA_NETWORK, ...overrides });
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

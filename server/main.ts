import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from './api/app.js';
import { cameraRoutes, type LiveFeed } from './api/camera.routes.js';
import { healthRoutes } from './api/health.routes.js';
import { canSee } from './auth/access.policy.js';
import { createAuth, type AuthModule } from './auth/auth.module.js';
import { createCameraKit, type CameraKit } from './cameras/camera.module.js';
import { idleRuntime } from './cameras/camera.runtime.js';
import type { ResolvedConfig } from './config/config.load.js';
import { createSocketServer, onAuthorized, type AppIo } from './realtime/socket.server.js';
import { cameraDisplayState } from './realtime/socket.events.js';
import { Bus } from './shared/bus.js';
import type { Logger } from './shared/log.js';
import { migrateLatest, openDb } from './store/db.js';
import { createStore, type Store } from './store/store.js';
import { PROJECT_ROOT, VERSION } from './version.js';

export interface RunningServer {
  app: Express;
  url: string;
  port: number;
  store: Store;
  bus: Bus;
  io: AppIo;
  auth: AuthModule;
  cameras: CameraKit;
  close(): Promise<void>;
}

/**
 * The composition root: the one place that builds adapters and services and wires them.
 * Everything else receives its collaborators through its constructor.
 */
export async function startServer(config: ResolvedConfig, log: Logger): Promise<RunningServer> {
  const startedAt = Date.now();
  const db: Knex = openDb({ url: config.databaseUrl });
  const applied = await migrateLatest(db);
  if (applied.length) log.info('database migrated', { applied });
  const store = createStore(db);
  const bus = new Bus();
  bus.onListenerError(({ topic, err }) => log.error('bus listener failed', { topic, err }));
  const auth = createAuth({ store, config, log });
  const authorizer = auth.authorizer;

  const liveFeed: LiveFeed = { latestJpeg: () => undefined };
  // idleRuntime until the ingest runtime is wired in: cameras register but do not run yet.
  const cameras = createCameraKit({ config, store, bus, log, runtime: idleRuntime });

  const app = createApp({
    log,
    uiDir: path.join(PROJECT_ROOT, 'dist', 'ui'),
    trustProxy: auth.trustProxy,
    before: auth.before,
    afterBody: auth.afterBody,
    routers: [
      ...auth.routers,
      healthRoutes({ store, authorizer, version: VERSION, startedAt, detectorBackend: () => null }),
      cameraRoutes({ store, authorizer, liveFeed, cameras: cameras.service, onboarding: cameras.onboarding }),
    ],
  });
  const http: HttpServer = createServer(app);
  const io = createSocketServer(http, authorizer, log, auth.socket);
  io.on('connection', (socket) => {
    onAuthorized(socket, authorizer, 'cameras:subscribe', async (s, _req, ack) => {
      const cams = (await store.cameras.list()).filter((c) => canSee(s.data.principal, { type: 'camera', id: c.id, areaId: c.areaId }));
      await s.join(cams.map((c) => `camera:${c.id}`));
      ack({ ok: true, data: cams.map((c) => ({ cameraId: c.id, state: c.state, display: cameraDisplayState(c.state), reason: c.stateReason, at: c.updatedAt })) });
    });
  });
  bus.on('camera.state', (m) => io.to(`camera:${m.cameraId}`).emit('camera:state', { ...m, display: cameraDisplayState(m.state) }));

  await auth.start();
  await cameras.service.startAll();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  log.info(`BinhYen ${VERSION} listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    app, url, port, store, bus, io, auth, cameras,
    close: () =>
      (closing ??= (async () => {
        io.disconnectSockets(true);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await auth.stop();
        await db.destroy();
      })()),
  };
}

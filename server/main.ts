import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from './api/app.js';
import { cameraRoutes } from './api/camera.routes.js';
import { healthRoutes } from './api/health.routes.js';
import { canSee, listScope } from './auth/access.policy.js';
import { createAuth, type AuthModule } from './auth/auth.module.js';
import type { AuditLog } from './auth/audit.log.js';
import { createCameraKit, type CameraKit } from './cameras/camera.module.js';
import { ClipCutter } from './clips/clip.cutter.js';
import type { ResolvedConfig } from './config/config.load.js';
import { DemoCamera } from './demo/demo.camera.js';
import { DetectService } from './detect/detect.service.js';
import { detectorOptions } from './detect/object.model.resolve.js';
import { createObjectDetector, type ObjectWorkerPool } from './detect/object.pool.js';
import { DetectionQueue } from './detect/object.queue.js';
import { PipelineRuntime } from './detect/pipeline.runtime.js';
import { defaultRegionPolicy } from './detect/regions.planner.js';
import type { AuditFn } from './clips/clip.types.js';
import { createEventsModule, type EventsModule } from './events/events.module.js';
import { CameraRuntime, recordingsDirOf } from './ingest/camera.runtime.js';
import { FfmpegAdapter } from './ingest/ffmpeg.adapter.js';
import { RecordingRetention } from './ingest/recording.retention.js';
import { cameraStatsRows, startStatsPush } from './realtime/camera.stats.push.js';
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
  events: EventsModule;
  ingest: CameraRuntime;
  detect: DetectService;
  queue: DetectionQueue;
  detector: ObjectWorkerPool | null;
  close(): Promise<void>;
}

/** The object detector, or null (logged) when it cannot start: cameras still record and show. */
async function startDetector(config: ResolvedConfig, log: Logger): Promise<ObjectWorkerPool | null> {
  try {
    const pool = await createObjectDetector(detectorOptions(config.detect), { log: log.child('detect') });
    log.info('object detector ready', pool.describe());
    return pool;
  } catch (err) {
    log.error('object detector unavailable: cameras record but nothing is detected', { err });
    return null;
  }
}

/** The events module's audit port on top of auth's hash-chained audit log. */
function auditPort(audit: AuditLog): AuditFn {
  return (e) =>
    audit
      .record({
        principal: e.userId !== null ? { kind: 'user', userId: e.userId, username: e.username ?? undefined, ip: e.ip ?? '', roles: [], areaIds: [] } : undefined,
        username: e.username, ip: e.ip, action: e.action, resource: { type: e.resourceType, id: e.resourceId }, detail: e.detail,
      })
      .then(() => undefined);
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

  // Detection path: ffmpeg ingest → motion → regions → shared queue → worker pool → tracker → bus.
  const ffmpeg = await FfmpegAdapter.create({ configuredPath: config.ffmpegPath });
  log.info('ffmpeg', { path: ffmpeg.info.path, version: ffmpeg.info.version, source: ffmpeg.info.source });
  const detector = await startDetector(config, log);
  const queue = new DetectionQueue(
    { maxPerCameraPerSecond: config.detect.maxPerCameraPerSecond, staleMs: config.detect.staleMs },
    { detector: detector ?? { workers: 1, detect: async () => [] }, log: log.child('queue') },
  );
  const retention = new RecordingRetention({
    recordings: store.recordings, recordingsDir: recordingsDirOf(config.dataDir), config: () => config.retention,
    cameraDays: () => ingest.cameraDays(), log: log.child('retention'),
  });
  const ingest = new CameraRuntime({
    ffmpeg, cameras: store.cameras, recordings: store.recordings, bus, log: log.child('ingest'), dataDir: config.dataDir,
    detect: config.detect, record: config.record, ingest: config.ingest, onSegmentIndexed: () => retention.segmentAdded(),
  });
  const detect = new DetectService({
    config: config.detect, queue, frames: (id) => ingest.frames(id), regionPolicy: defaultRegionPolicy(), bus, log: log.child('detect'),
  });
  const runtime = new PipelineRuntime(ingest, detector ? detect : { start: () => undefined, stop: async () => undefined, stopAll: async () => undefined });
  const cameras = createCameraKit({ config, store, bus, log, runtime });
  const cutter = new ClipCutter({ recordings: store.recordings, ffmpeg, recordingsDir: ingest.recordingsDir, log: log.child('clips') });
  const events = createEventsModule({
    config, ffmpegPath: ffmpeg.info.path, store, bus, authorizer, log, cutClip: cutter.cut, audit: auditPort(auth.audit),
    scopeOf: (p) => listScope(p, 'event.list'),
  });

  const app = createApp({
    log,
    uiDir: path.join(PROJECT_ROOT, 'dist', 'ui'),
    trustProxy: auth.trustProxy,
    before: auth.before,
    afterBody: auth.afterBody,
    routers: [
      ...auth.routers,
      healthRoutes({ store, authorizer, version: VERSION, startedAt, detectorBackend: () => detector?.describe().backend ?? null }),
      cameraRoutes({ store, authorizer, liveFeed: ingest, cameras: cameras.service, onboarding: cameras.onboarding, stats: () => cameraStatsRows(ingest, detect) }),
      ...events.routers,
    ],
  });
  const http: HttpServer = createServer(app);
  const io = createSocketServer(http, authorizer, log, auth.socket);
  events.attachIo(io);
  io.on('connection', (socket) => {
    events.registerSocket(socket);
    onAuthorized(socket, authorizer, 'cameras:subscribe', async (s, _req, ack) => {
      const cams = (await store.cameras.list()).filter((c) => canSee(s.data.principal, { type: 'camera', id: c.id, areaId: c.areaId }));
      await s.join(cams.map((c) => `camera:${c.id}`));
      ack({ ok: true, data: cams.map((c) => ({ cameraId: c.id, state: c.state, display: cameraDisplayState(c.state), reason: c.stateReason, at: c.updatedAt })) });
    });
  });
  bus.on('camera.state', (m) => io.to(`camera:${m.cameraId}`).emit('camera:state', { ...m, display: cameraDisplayState(m.state) }));
  const stopStatsPush = startStatsPush(io, () => cameraStatsRows(ingest, detect), config.ingest.statsPushMs, log);

  await auth.start();
  await events.start();
  retention.start();
  const demo = config.demoCamera ? new DemoCamera({ store, log: log.child('demo'), ffmpegPath: ffmpeg.info.path }) : undefined;
  await demo?.start().catch((err: unknown) => log.warn('demo camera could not start (install ffmpeg and the GStreamer RTSP server, see README)', { err }));
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
    app, url, port, store, bus, io, auth, cameras, events, ingest, detect, queue, detector,
    close: () =>
      (closing ??= (async () => {
        stopStatsPush();
        io.disconnectSockets(true);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await runtime.stopAll();
        await demo?.stop();
        await events.stop();
        retention.stop();
        await queue.close();
        await detector?.close();
        await auth.stop();
        await db.destroy();
      })()),
  };
}

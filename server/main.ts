import { preferenceRoutes } from './api/preference.routes.js';
import { PreferenceService } from './auth/preference.service.js';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from './api/app.js';
import { areaRoutes } from './api/area.routes.js';
import { groupRoutes } from './api/group.routes.js';
import { auditRoutes } from './api/audit.routes.js';
import { authRoutes } from './api/auth.routes.js';
import { recordingRoutes } from './api/recording.routes.js';
import { cameraRoutes } from './api/camera.routes.js';
import { cameraNotifyRoutes } from './api/camera.notify.routes.js';
import { cameraPtzRoutes } from './api/camera.ptz.routes.js';
import { healthRoutes } from './api/health.routes.js';
import { notifyRoutes } from './api/notify.routes.js';
import { settingsRoutes } from './api/settings.routes.js';
import { HealthMonitor } from './api/health.monitor.js';
import { retryingRecordings, WriteGate, WriteRetry } from './store/write.retry.js';
import { userRoutes } from './api/user.routes.js';
import { listScope } from './auth/access.policy.js';
import { createAuth, type AuthModule } from './auth/auth.module.js';
import { createCameraKit, type CameraKit } from './cameras/camera.module.js';
import { ClipCutter } from './clips/clip.cutter.js';
import { RecordingPlayback } from './clips/recording.playback.js';
import { RecordingThumbs } from './clips/recording.thumbs.js';
import type { ResolvedConfig } from './config/config.load.js';
import { DemoCamera } from './demo/demo.camera.js';
import type { PipelineMode } from './detect/camera.pipeline.js';
import { createDetectionPath, type DetectionPath } from './detect/detection.path.js';
import { FfmpegAdapter } from './ingest/ffmpeg.adapter.js';
import { IngestRuntime, recordingsDirOf } from './ingest/ingest.runtime.js';
import { LiveHub } from './ingest/live.remux.js';
import { RecordingLeases } from './ingest/recording.leases.js';
import { reconcileIdleCameras } from './ingest/recording.reconcile.js';
import { recordingDaysByCamera, RecordingRetention } from './ingest/recording.retention.js';
import { auditPort, wireEventsAndClips, type EventsWiring } from './main.events.js';
import { wireReports, type ReportsWiring } from './main.reports.js';
import { wireNotify, type NotifyWiring } from './main.notify.js';
import { ClusterWiring } from './main.cluster.js';
import { clusterRoutes } from './api/cluster.routes.js';
import { mediaProxy } from './api/media.proxy.js';
import { Router } from 'express';
import { forwardCameraStates, registerCameraSocketHandlers } from './realtime/camera.socket.js';
import { registerLiveSocketHandlers } from './realtime/live.socket.js';
import { cameraStatsRows, startStatsPush } from './realtime/camera.stats.push.js';
import { StatsHistory } from './ingest/stats.history.js';
import { SocketAuth } from './realtime/socket.auth.js';
import { createSocketServer, type AppIo } from './realtime/socket.server.js';
import { Bus } from './shared/bus.js';
import { dataPermissions, secureDataDir } from './shared/data.permissions.js';
import type { Logger } from './shared/log.js';
import { isSqlite, migrateLatest, openDb, pingDb } from './store/db.js';
import { systemClock } from './shared/clock.js';
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
  events: EventsWiring;
  reports: ReportsWiring;
  notify: NotifyWiring;
  ingest: IngestRuntime;
  retention: RecordingRetention;
  detection: DetectionPath;
  /** Live video remuxes (one per watched camera). */
  live: LiveHub;
  /** This node's part of a cluster (issue 16); undefined on one node. */
  cluster: ClusterWiring | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 'naive' (model on every sampled frame, no motion gate): the bench's baseline only. */
  detectMode?: PipelineMode;
}

/** Account, area and audit routes over auth's services. */
function authRouters(auth: AuthModule, store: Store): Router[] {
  const { authorizer } = auth;
  return [
    authRoutes({
      authorizer,
      users: auth.users,
      sessions: auth.sessions,
      setup: auth.setup,
      limiter: auth.limiter,
      audit: auth.audit,
      refusals: auth.refusals,
      revocations: auth.revocations,
      secureCookie: auth.secureCookie,
    }),
    userRoutes({ authorizer, users: auth.users }),
    areaRoutes({ authorizer, areas: store.areas }),
    groupRoutes({ authorizer, areas: store.areas, users: auth.users }),
    auditRoutes({ authorizer, audit: auth.audit }),
    preferenceRoutes({ authorizer, preferences: new PreferenceService({ repo: store.preferences, clock: systemClock }) }),
  ];
}

/**
 * The composition root: the one place that builds adapters and services and wires them into
 * routes and sockets. Everything else receives its collaborators through its constructor.
 */
export async function startServer(config: ResolvedConfig, log: Logger, opts: StartOptions = {}): Promise<RunningServer> {
  const startedAt = Date.now();
  // Before anything is written: the umask every file of ours and of ffmpeg's is created with.
  const storage = await secureDataDir(config.dataDir, dataPermissions(config.storage.group), log);
  void storage.existing.catch((err: unknown) => log.warn('could not set the permissions of existing data files', { err }));
  const db: Knex = openDb({ url: config.databaseUrl });
  const applied = await migrateLatest(db);
  if (applied.length) log.info('database migrated', { applied });
  const cluster = await ClusterWiring.open(config, log);
  const store = createStore(db, cluster?.scope);
  const bus = new Bus();
  bus.onListenerError(({ topic, err }) => log.error('bus listener failed', { topic, err }));
  const auth = createAuth({ store, config, log });
  const { authorizer } = auth;

  const ffmpeg = await FfmpegAdapter.create({ configuredPath: config.ffmpegPath });
  log.info('ffmpeg', { path: ffmpeg.info.path, version: ffmpeg.info.version, source: ffmpeg.info.source, hidesCameraUrls: ffmpeg.info.hidesCameraUrls });
  if (!ffmpeg.info.hidesCameraUrls)
    log.warn('this ffmpeg is older than 5.0: camera URLs, with their passwords, show in its command line (ps); install ffmpeg 5 or later (Debian 12 has 5.1)');
  // Clip cuts and exports lease their range of the recording: retention skips it until released.
  // One set of leases: clip cuts and exports hold ranges, retention skips them.
  const holds = new RecordingLeases();
  const retention = new RecordingRetention({
    recordings: store.recordings,
    recordingsDir: recordingsDirOf(config.dataDir),
    config: () => config.retention,
    cameraDays: () => recordingDaysByCamera(store.cameras),
    log: log.child('retention'),
    leases: holds,
    // The events area turns a low disk into a system alert on the police wall (and resolves it).
    onDiskState: (s) => bus.emit('disk.state', { state: s.state, message: s.message, freeBytes: s.freeBytes, minFreeBytes: s.minFreeBytes, at: Date.now() }),
  });
  // Recording-index and event writes wait out a locked database instead of being dropped.
  // SQLite has one connection: one background write at a time keeps alerts near the head of its queue.
  const writes = new WriteRetry({ clock: systemClock, log: log.child('writes'), gate: new WriteGate(isSqlite(store.db) ? 1 : 4) });
  const ingest = new IngestRuntime({
    ffmpeg,
    cameras: store.cameras,
    recordings: retryingRecordings(store.recordings, writes),
    bus,
    log: log.child('ingest'),
    dataDir: config.dataDir,
    detect: config.detect,
    record: config.record,
    ingest: config.ingest,
    onSegmentIndexed: () => retention.segmentAdded(),
  });
  const detection = await createDetectionPath({ config: config.detect, ingest, bus, log, mode: opts.detectMode });
  const cameras = createCameraKit({ config, ffmpeg, store, bus, log, runner: detection.runtime, wrapRunner: cluster?.wrapRunner, owns: cluster?.owns });
  const head = (cameraId: number, until?: number) => ingest.recordingHead(cameraId, until);
  const cutter = new ClipCutter({ recordings: store.recordings, ffmpeg, recordingsDir: ingest.recordingsDir, log: log.child('clips'), head });
  const events = wireEventsAndClips({
    config,
    ffmpeg,
    store,
    bus,
    authorizer,
    log,
    cutClip: cutter.cut,
    audit: auditPort(auth.audit),
    scopeOf: (p) => listScope(p, 'event.list'),
    holds,
    head,
    writes,
  });
  const reports = wireReports({
    config,
    store,
    files: events.files,
    ffmpeg,
    exporter: events.clips.exporter,
    events: events.events.events,
    authorizer,
  });
  const notify = await wireNotify({ config, store, log });
  const health = new HealthMonitor({
    ping: () => pingDb(store.db),
    cameraStates: () => store.cameras.countByState(),
    counters: () => events.counters(),
    clock: systemClock,
  });
  // Every push samples the figures; the API answers with the last hour of them (the health tab's charts).
  const history = new StatsHistory({ everyMs: config.ingest.statsHistoryMs });
  const stats = async () => {
    const rows = await cameraStatsRows(ingest, detection.service);
    history.record(rows, Date.now());
    return rows;
  };
  const statsWithHistory = async () => (await stats()).map((r) => ({ ...r, history: history.of(r.cameraId) }));

  const app = createApp({
    log,
    uiDir: path.join(PROJECT_ROOT, 'dist', 'ui'),
    trustProxy: auth.trustProxy,
    before: auth.before,
    afterBody: auth.afterBody,
    routers: [
      // In a cluster, media on another node's disk are fetched from it (before the routes that serve them from here).
      ...(cluster
        ? [
            Router().use(
              mediaProxy({
                authorizer,
                nodeId: config.nodeId,
                secret: config.cluster.secret!,
                clipNode: (id) => store.clips.nodeOf(id),
                eventNode: (id) => store.events.nodeOf(id),
                recordingNodes: (cameraId, from, to) => store.recordings.nodesOverlapping(cameraId, from, to),
                nodeUrl: async (id) => (await cluster.repo.nodes()).find((n) => n.id === id)?.url,
              }),
            ),
          ]
        : []),
      ...authRouters(auth, store),
      healthRoutes({
        monitor: health,
        dbClient: String(store.db.client.config.client),
        authorizer,
        version: VERSION,
        startedAt,
        detector: detection.status,
        disk: () => retention.disk(),
        notify: () => notify.health(),
        cluster: cluster ? () => cluster.health() : undefined,
        cameraEvents: () => cameras.events.health(),
      }),
      cameraRoutes({
        store,
        authorizer,
        liveFeed: ingest,
        cameras: cameras.service,
        onboarding: cameras.onboarding,
        stats: statsWithHistory,
        privacy: events.privacy,
      }),
      cameraPtzRoutes({ store, authorizer, ptz: cameras.ptz, tours: cameras.tours }),
      cameraNotifyRoutes({ authorizer, inbox: cameras.inbox }),
      settingsRoutes({ authorizer, network: cameras.network, cameras: cameras.service }),
      recordingRoutes({
        authorizer,
        playback: new RecordingPlayback({ cutClip: cutter.cut, files: events.files, recordings: store.recordings }),
        thumbs: new RecordingThumbs({ recordings: store.recordings, ffmpeg, files: events.files, recordingsDir: ingest.recordingsDir }),
        files: events.files,
        cameras: store.cameras,
      }),
      ...events.routers,
      ...reports.routers,
      notifyRoutes({ authorizer, admin: notify.admin, rules: notify.rules, push: notify.pushSubscriptions }),
      clusterRoutes({
        authorizer,
        nodeId: config.nodeId,
        leaseTtlMs: config.cluster.leaseTtlMs,
        view: () => cluster?.view(),
        pin: cluster ? (id, node) => cluster.repo.setPin(id, node) : undefined,
      }),
    ],
  });
  // Idle keep-alive connections outlive the clients' and proxies' own idle timeouts (nginx and
  // load balancers keep upstream connections ~60 s; fetch keeps them up to the server's hint minus
  // 1 s). With Node's 5 s default the server closes a socket the client is just reusing, and the
  // client's request dies with ECONNRESET (seen in CI on a busy machine). Slow or stuck request
  // headers stay bounded by headersTimeout, which must exceed this.
  const http: HttpServer = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, app);
  const socketAuth = new SocketAuth({
    sessions: auth.sessions,
    revocations: auth.revocations,
    allowedOrigins: config.auth.allowedOrigins,
    log: log.child('socket-auth'),
    recheckMs: config.auth.socketRecheckSeconds * 1000,
  });
  const io = createSocketServer(http, authorizer, log, socketAuth, cluster?.fanout?.adapter);
  const live = new LiveHub({ ffmpeg, recordingsDir: ingest.recordingsDir, source: ingest, log: log.child('live') });
  events.attachIo(io);
  reports.attachIo(io);
  io.on('connection', (socket) => {
    events.registerSocket(socket);
    reports.registerSocket(socket);
    registerCameraSocketHandlers(socket, authorizer, store.cameras);
    registerLiveSocketHandlers(socket, { authorizer, hub: live, cameras: store.cameras });
  });
  const stopStates = forwardCameraStates(io, bus);
  const stopStatsPush = startStatsPush(io, stats, config.ingest.statsPushMs, log);

  await auth.start();
  await health.start();
  await events.start();
  // In a cluster the outbox is delivered by one node at a time, the holder of its lease.
  if (!cluster) await notify.start();
  retention.start();
  if (cluster && config.demoCamera) log.info('no demo camera on a cluster node (its simulator would live on one machine only)');
  const demo =
    config.demoCamera && !cluster
      ? new DemoCamera({ store, log: log.child('demo'), ffmpegPath: ffmpeg.info.path, ffmpeg, restart: (cam) => detection.runtime.start(cam, null) })
      : undefined;
  await cameras.network.load();
  await demo?.start().catch((err: unknown) => log.warn('demo camera could not start (install ffmpeg and the GStreamer RTSP server, see README)', { err }));
  await cameras.service.startAll();
  const stopWake = bus.on('camera.event', (e) => detection.service.cameraEvent(e));
  // The folders no starting recorder reconciles (removed, disabled cameras; unknown ids), in the background.
  void reconcileIdleCameras(
    { recordings: store.recordings, ffmpeg, log: log.child('reconcile'), recordingsDir: ingest.recordingsDir },
    { isRecording: (id) => ingest.isRecording(id), cameraExists: async (id) => (await store.cameras.getIncludingRemoved(id)) !== undefined },
  ).then(
    (r) => log.info('recordings of cameras not recording reconciled', { ...r }),
    (err: unknown) => log.error('reconciling the recordings of cameras not recording failed', { err }),
  );
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  // After listening: cameras on base notification are given this server's address and port.
  cameras.listening(port);
  await cameras.events.start();
  log.info(`BinhYen ${VERSION} listening on ${url}`);
  await cluster?.start({
    store,
    cameras,
    port,
    jobs: [{ name: 'notify', start: () => notify.start(), stop: () => notify.stop() }],
    takeover: (id) => events.events.lifecycle.closeTakenOver(id),
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    port,
    store,
    bus,
    io,
    auth,
    cameras,
    events,
    reports,
    notify,
    ingest,
    retention,
    detection,
    live,
    cluster,
    close: () =>
      (closing ??= (async () => {
        await events.clips.abortWork();
        // First: hand the cameras and jobs to the other nodes while this one still answers.
        await cluster?.stop();
        stopStatsPush();
        stopStates();
        health.stop();
        socketAuth.detach();
        io.disconnectSockets(true);
        // io.close() closes the HTTP server, which waits for every connection: a keep-alive one
        // or a long download must not hold the stop past its grace, so they get a second.
        const cutConnections = setTimeout(() => http.closeAllConnections(), 1000);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        clearTimeout(cutConnections);
        await live.close();
        cameras.events.stop();
        cameras.tours.stopAll();
        stopWake();
        await detection.runtime.stopAll();
        await demo?.stop();
        await events.stop();
        if (!cluster) await notify.stop();
        retention.stop();
        await detection.close();
        await auth.stop();
        await ffmpeg.close();
        await cluster?.close();
        await db.destroy();
      })()),
  };
}

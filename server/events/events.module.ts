import type { Router } from 'express';
import { alertRoutes } from '../api/alert.routes.js';
import { clipRoutes } from '../api/clip.routes.js';
import { eventRoutes } from '../api/event.routes.js';
import type { Authorizer } from '../auth/authorize.js';
import { ClipExporter } from '../clips/clip.export.js';
import { FfmpegMp4Tools, type Mp4Tools } from '../clips/clip.ffmpeg.js';
import { ClipProducer } from '../clips/clip.producer.js';
import { ClipQuery } from '../clips/clip.query.js';
import { EventRetention } from '../clips/clip.retention.js';
import { ClipService } from '../clips/clip.service.js';
import type { AuditFn, CutClip } from '../clips/clip.types.js';
import type { ResolvedConfig } from '../config/config.load.js';
import { AlertRealtime, registerAlertSocketHandlers, type AlertRooms } from '../realtime/alert.realtime.js';
import type { AppIo, AppSocket } from '../realtime/socket.server.js';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../store/store.js';
import { defaultScopeOf, type ScopeOf } from './access.scope.js';
import type { AlertPublisher } from './alert.publisher.js';
import { AlertQuery } from './alert.query.js';
import { AlertService } from './alert.service.js';
import { AlertViews } from './alert.view.js';
import { CameraOfflineWatcher } from './camera.offline.js';
import { RULES_SETTINGS_KEY, rulesSettingsSchema } from './camera.settings.rules.js';
import { systemClock, type Clock } from './event.clock.js';
import { EventLifecycle } from './event.lifecycle.js';
import { EventService } from './event.service.js';
import { MediaFiles } from './media.files.js';
import { cameraRulesProvider } from './rules.provider.js';
import { FfmpegJpegEncoder, type JpegEncoder } from './snapshot.encoder.js';
import { SnapshotService } from './snapshot.service.js';

export interface EventsModuleDeps {
  config: Pick<ResolvedConfig, 'dataDir' | 'timeZone' | 'record' | 'retention'>;
  ffmpegPath: string;
  store: Store;
  bus: Bus;
  authorizer: Authorizer;
  log: Logger;
  /** From server/clips/clip.cutter.ts (ingest). */
  cutClip: CutClip;
  /** Writes one audit entry (auth's audit log). */
  audit: AuditFn;
  /** Defaults: police/admin see all, others what was shared with their areas. */
  scopeOf?: ScopeOf;
  alertRooms?: AlertRooms;
  clock?: Clock;
  encoder?: JpegEncoder;
  mp4?: Mp4Tools;
  tuning?: Partial<EventsTuning>;
}

export interface EventsTuning {
  /** Disk quota for event clips + snapshots, bytes (0 = none). */
  eventMaxBytes: number;
  exportMaxRangeMs: number;
  bestSnapshotIntervalMs: number;
  staleTrackMs: number;
  /** Wait after a clip's end before cutting; default one segment + 1.5 s. */
  clipSettleMs: number;
  clipMaxWaitMs: number;
  retentionIntervalMs: number;
}

/** Forwards to socket.io once the server has it (routes are built before the io server exists). */
class LatePublisher implements AlertPublisher {
  target: AlertPublisher | undefined;
  created: AlertPublisher['created'] = (a) => this.target?.created(a);
  updated: AlertPublisher['updated'] = (a, b) => this.target?.updated(a, b);
}

/**
 * Events, alerts and clips wired together: what main.ts needs is `routers`, `attachIo(io)`,
 * `registerSocket(socket)` on each connection, `start()` and `stop()`.
 */
export function createEventsModule(d: EventsModuleDeps) {
  const clock = d.clock ?? systemClock;
  const segmentMs = d.config.record.segmentSeconds * 1000;
  const t: EventsTuning = {
    eventMaxBytes: 0, exportMaxRangeMs: 3_600_000, bestSnapshotIntervalMs: 1000, staleTrackMs: 120_000,
    clipSettleMs: segmentMs + 1500, clipMaxWaitMs: 3 * segmentMs + 30_000, retentionIntervalMs: 10 * 60_000, ...d.tuning,
  };
  const log = d.log.child('events');
  const scopeOf = d.scopeOf ?? defaultScopeOf;
  const files = new MediaFiles(d.config.dataDir);
  const publisher = new LatePublisher();
  const views = new AlertViews(d.store);
  const alerts = new AlertService({ store: d.store, publisher, views, clock, log });
  const query = new AlertQuery({ repos: d.store, views, clock });
  const events = new EventService({ repos: d.store, alerts, views, clock });
  const mp4 = d.mp4 ?? new FfmpegMp4Tools({ ffmpegPath: d.ffmpegPath });
  const producer = new ClipProducer({ repos: d.store, files, cutClip: d.cutClip, mp4, clock });
  const clips = new ClipService({
    repos: d.store, producer, files, clock, log: log.child('clips'), preRollMs: d.config.record.preRollSeconds * 1000,
    postRollMs: d.config.record.postRollSeconds * 1000, settleMs: t.clipSettleMs, maxWaitMs: t.clipMaxWaitMs,
  });
  const exporter = new ClipExporter({ repos: d.store, producer, files, audit: d.audit, clock, log, maxRangeMs: t.exportMaxRangeMs });
  const clipQuery = new ClipQuery(d.store);
  const snapshots = new SnapshotService({ files, encoder: d.encoder ?? new FfmpegJpegEncoder({ ffmpegPath: d.ffmpegPath }) });
  const lifecycle = new EventLifecycle({
    repos: d.store, rules: cameraRulesProvider(d.store, log), snapshots, alerts, clips, clock, log, timeZone: d.config.timeZone,
    bestSnapshotIntervalMs: t.bestSnapshotIntervalMs, staleTrackMs: t.staleTrackMs,
  });
  const offline = new CameraOfflineWatcher({ alerts, log });
  const retention = new EventRetention({
    repos: d.store, files, clock, log, eventDays: d.config.retention.eventDays, maxBytes: t.eventMaxBytes,
    intervalMs: t.retentionIntervalMs, cameraDays: () => cameraRetentionDays(d.store),
  });
  const routers: Router[] = [
    eventRoutes({ authorizer: d.authorizer, events, files, scopeOf }),
    alertRoutes({ authorizer: d.authorizer, alerts, query, scopeOf }),
    clipRoutes({ authorizer: d.authorizer, clips: clipQuery, exporter, files, cameras: d.store.cameras, scopeOf }),
  ];

  return {
    routers, alerts, query, events, clips, exporter, lifecycle, retention, files,
    attachIo(io: AppIo): void {
      publisher.target = new AlertRealtime(io, d.alertRooms, (err) => log.error('alert push failed', { err }));
    },
    registerSocket(socket: AppSocket): void {
      registerAlertSocketHandlers(socket, d.authorizer, { query, scopeOf, rooms: d.alertRooms });
    },
    /** Closes events left open, re-queues unfinished clips, then listens to the bus. */
    async start(): Promise<void> {
      await clips.recover();
      await lifecycle.start(d.bus);
      offline.start(d.bus);
      retention.start();
    },
    async stop(): Promise<void> {
      await lifecycle.stop();
      await offline.stop();
      await retention.stop();
      await clips.stop();
    },
  };
}
export type EventsModule = ReturnType<typeof createEventsModule>;

/** Cameras whose rules set their own retention days. */
async function cameraRetentionDays(store: Pick<Store, 'cameras'>): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const cam of await store.cameras.list()) {
    const parsed = rulesSettingsSchema.safeParse(cam.settings[RULES_SETTINGS_KEY] ?? {});
    if (parsed.success && parsed.data.retentionDays !== undefined) out.set(cam.id, parsed.data.retentionDays);
  }
  return out;
}

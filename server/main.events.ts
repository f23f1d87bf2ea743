import type { Router } from 'express';
import { alertRoutes } from './api/alert.routes.js';
import { clipRoutes } from './api/clip.routes.js';
import { eventRoutes } from './api/event.routes.js';
import { defaultScopeOf, type ScopeOf } from './auth/access.scope.js';
import type { Authorizer } from './auth/authorize.js';
import { createClipsModule, type ClipsTuning } from './clips/clips.module.js';
import { FfmpegMp4Tools, type Mp4Tools } from './clips/clip.ffmpeg.js';
import type { AuditLog } from './auth/audit.log.js';
import type { AuditFn, CutClip, RangeHolds, RecordingHead } from './clips/clip.types.js';
import type { ResolvedConfig } from './config/config.load.js';
import { createEventsModule, type EventsTuning } from './events/events.module.js';
import { ThreadJpegEncoder, type JpegEncoder } from './events/snapshot.encoder.js';
import type { FfmpegAdapter } from './ingest/ffmpeg.adapter.js';
import { AlertRealtime, registerAlertSocketHandlers, type AlertRooms } from './realtime/alert.realtime.js';
import type { AppIo, AppSocket } from './realtime/socket.server.js';
import type { Bus } from './shared/bus.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/log.js';
import { MediaFiles } from './shared/media.files.js';
import { PrivacyMasker } from './privacy/privacy.masker.js';
import type { Store } from './store/store.js';
import { WriteRetry } from './store/write.retry.js';
import type { PipelineCounters } from './api/health.monitor.js';
import { systemClock } from './shared/clock.js';

/**
 * Part of the composition root: events/alerts and clips with their routes and socket
 * handlers. main.ts uses it, and so do the events integration tests, so both run one wiring.
 */
export interface EventsWiringDeps {
  config: Pick<ResolvedConfig, 'dataDir' | 'timeZone' | 'record' | 'retention'>;
  ffmpeg: Pick<FfmpegAdapter, 'exec'>;
  store: Store;
  bus: Bus;
  authorizer: Authorizer;
  log: Logger;
  cutClip: CutClip;
  audit: AuditFn;
  /** Defaults: police/admin see all, others what was shared with their areas. */
  scopeOf?: ScopeOf;
  alertRooms?: AlertRooms;
  clock?: Clock;
  encoder?: JpegEncoder;
  mp4?: Mp4Tools;
  /** Recording leases shared with the recording retention (ingest's RecordingLeases). */
  holds?: RangeHolds;
  /** The segment each camera is recording now (ingest's recordingHead). */
  head?: RecordingHead;
  /** Pipeline write retries; main.ts shares one with the recording index. */
  writes?: WriteRetry;
  tuning?: Partial<EventsTuning & ClipsTuning>;
}

export function wireEventsAndClips(d: EventsWiringDeps) {
  const scopeOf = d.scopeOf ?? defaultScopeOf;
  const files = new MediaFiles(d.config.dataDir);
  const writes = d.writes ?? new WriteRetry({ clock: d.clock ?? systemClock, log: d.log.child('writes') });
  const clips = createClipsModule({
    config: d.config,
    store: d.store,
    log: d.log,
    files,
    cutClip: d.cutClip,
    mp4: d.mp4 ?? new FfmpegMp4Tools(d.ffmpeg),
    audit: d.audit,
    holds: d.holds,
    head: d.head,
    writes,
    clock: d.clock,
    tuning: d.tuning,
  });
  // Starts no thread until its first encode, so an encoder brought by the caller leaves it idle.
  const jpegThreads = new ThreadJpegEncoder({ log: d.log.child('snapshots') });
  const events = createEventsModule({
    config: d.config,
    store: d.store,
    bus: d.bus,
    log: d.log,
    files,
    encoder: d.encoder ?? jpegThreads,
    clips: clips.clips,
    writes,
    clock: d.clock,
    tuning: d.tuning,
  });
  const privacy = new PrivacyMasker({
    ffmpeg: d.ffmpeg,
    files,
    masksOf: async (id) => {
      const cam = await d.store.cameras.getIncludingRemoved(id);
      // A stored part that no longer validates falls back to its default (none): not for privacy masks.
      if (cam?.settingsProblems.some((p) => p.startsWith('privacyMasks'))) return null;
      return cam?.settings.privacyMasks ?? [];
    },
    log: d.log.child('privacy'),
  });
  const routers: Router[] = [
    eventRoutes({ authorizer: d.authorizer, events: events.events, files, scopeOf, privacy }),
    alertRoutes({ authorizer: d.authorizer, alerts: events.alerts, query: events.query, scopeOf }),
    clipRoutes({ authorizer: d.authorizer, clips: clips.query, exporter: clips.exporter, files, cameras: d.store.cameras, scopeOf, privacy }),
  ];
  return {
    events,
    clips,
    files,
    privacy,
    routers,
    writes,
    /** What health and the bench show of the pipeline, from memory. */
    counters(): PipelineCounters {
      const c = clips.counters();
      return {
        snapshotFailures: events.snapshotCounters.failed,
        snapshotRetries: events.snapshotCounters.retried,
        clipsPending: c.pending,
        clipsPendingMax: c.pendingMax,
        clipWorkQueued: c.queued,
        writesQueued: writes.waiting,
        writesRetried: writes.counters.retried,
      };
    },
    attachIo(io: AppIo): void {
      events.setPublisher(new AlertRealtime(io, d.alertRooms, (err) => d.log.error('alert push failed', { err })));
    },
    registerSocket(socket: AppSocket): void {
      registerAlertSocketHandlers(socket, d.authorizer, { query: events.query, scopeOf, rooms: d.alertRooms });
    },
    /** Clips first: the events' start-up recovery schedules the clips of events left open. */
    async start(): Promise<void> {
      await clips.start();
      await events.start();
    },
    async stop(): Promise<void> {
      await events.stop();
      await clips.stop();
      await jpegThreads.close();
    },
  };
}
export type EventsWiring = ReturnType<typeof wireEventsAndClips>;

/** The events module's audit port on top of auth's hash-chained audit log. */
export function auditPort(audit: AuditLog): AuditFn {
  return (e) =>
    audit
      .record({
        principal:
          e.userId !== null ? { kind: 'user', userId: e.userId, username: e.username ?? undefined, ip: e.ip ?? '', roles: [], areaIds: [] } : undefined,
        username: e.username,
        ip: e.ip,
        action: e.action,
        resource: { type: e.resourceType, id: e.resourceId },
        detail: e.detail,
      })
      .then(() => undefined);
}

import type { Router } from 'express';
import { announcementRoutes } from './api/announcement.routes.js';
import { evaluationRoutes } from './api/evaluation.routes.js';
import { reportRoutes } from './api/report.routes.js';
import { reportLinkRoutes } from './api/reportlink.routes.js';
import { ReportLinks } from './reports/report.links.js';
import type { Authorizer } from './auth/authorize.js';
import type { ClipExporter } from './clips/clip.export.js';
import type { ResolvedConfig } from './config/config.load.js';
import type { EventService } from './events/event.service.js';
import type { FfmpegAdapter } from './ingest/ffmpeg.adapter.js';
import { AnnouncementRealtime, registerAnnouncementSocketHandlers, registerReportSocketHandlers, ReportRealtime } from './realtime/report.realtime.js';
import { AnnouncementService } from './reports/announcement.service.js';
import type { AppIo, AppSocket } from './realtime/socket.server.js';
import { ffmpegImageDecodes } from './reports/report.image.js';
import { Commendations } from './reports/report.commendation.js';
import { ReportEvaluation } from './reports/report.evaluation.js';
import { ReportService } from './reports/report.service.js';
import { ReportTriage } from './reports/report.triage.js';
import { systemClock, type Clock } from './shared/clock.js';
import type { MediaFiles } from './shared/media.files.js';
import type { Store } from './store/store.js';

export const MAX_REPORT_PHOTOS = 4;

export interface ReportsWiringDeps {
  config: Pick<ResolvedConfig, 'reports'>;
  store: Store;
  files: MediaFiles;
  ffmpeg: Pick<FfmpegAdapter, 'exec'>;
  exporter: Pick<ClipExporter, 'exportRange'>;
  events: Pick<EventService, 'onFlag'>;
  authorizer: Authorizer;
  clock?: Clock;
}

/**
 * Part of the composition root: residents' reports with their routes and socket handlers, and
 * the events' flag turned into a report linked to the event (issue 13).
 */
export function wireReports(d: ReportsWiringDeps) {
  const clock = d.clock ?? systemClock;
  const c = d.config.reports;
  const maxPhotoBytes = Math.round(c.maxPhotoMb * 1024 * 1024);
  const reports = new ReportService({
    store: d.store,
    files: d.files,
    decodes: ffmpegImageDecodes(d.ffmpeg),
    clock,
    limits: { maxPhotoBytes, maxPhotos: MAX_REPORT_PHOTOS, perReporterPerHour: c.perReporterPerHour },
  });
  const triage = new ReportTriage({ store: d.store, reports, exporter: d.exporter, clock, nearbyRadiusM: c.nearbyRadiusM });
  d.events.onFlag = async (ev, flag, actor) => {
    const user = actor.userId !== null ? await d.store.users.get(actor.userId) : undefined;
    if (ev.areaId === null || !user || user.roles.some((r) => r === 'police' || r === 'admin')) return;
    const camera = await d.store.cameras.getIncludingRemoved(ev.cameraId);
    const place = [camera?.name, camera?.address].filter(Boolean).join(', ');
    const input = {
      areaId: ev.areaId,
      category: 'other' as const,
      body: flag.body,
      place,
      latitude: null,
      longitude: null,
      occurredAt: ev.startAt,
      shareLocation: false,
      eventId: ev.id,
    };
    await reports.create(input, [], actor);
  };
  const evaluation = new ReportEvaluation({ store: d.store, clock, targetMs: c.targetMinutes * 60_000 });
  const links = new ReportLinks({
    store: d.store,
    reports,
    clock,
    limits: { perAddressPerHour: c.publicPerAddressPerHour, perLinkPerHour: c.publicPerLinkPerHour, maxPhotos: MAX_REPORT_PHOTOS, maxPhotoBytes },
  });
  const announcements = new AnnouncementService({
    store: d.store,
    clock,
    photos: { files: d.files, decodes: ffmpegImageDecodes(d.ffmpeg), maxBytes: maxPhotoBytes },
  });
  const routers: Router[] = [
    announcementRoutes({ authorizer: d.authorizer, announcements, files: d.files, maxPhotoBytes }),
    // Before /api/reports/:id, which would take "evaluation" for an id.
    evaluationRoutes({
      authorizer: d.authorizer,
      evaluation,
      commendations: new Commendations({ store: d.store, clock }),
      areas: d.store.areas,
      optOut: { get: (userId) => d.store.evaluation.optOut(userId), set: (userId, optOut) => d.store.evaluation.setOptOut(userId, optOut) },
    }),
    reportRoutes({ authorizer: d.authorizer, reports, triage, files: d.files, maxPhotoBytes, maxPhotos: MAX_REPORT_PHOTOS }),
    reportLinkRoutes({ authorizer: d.authorizer, links, areas: d.store.areas, maxPhotoBytes, maxPhotos: MAX_REPORT_PHOTOS }),
  ];
  return {
    reports,
    triage,
    evaluation,
    announcements,
    links,
    routers,
    attachIo(io: AppIo): void {
      reports.publisher = new ReportRealtime(io);
      announcements.publisher = new AnnouncementRealtime(io);
    },
    registerSocket(socket: AppSocket): void {
      registerReportSocketHandlers(socket, d.authorizer);
      registerAnnouncementSocketHandlers(socket, d.authorizer);
    },
  };
}
export type ReportsWiring = ReturnType<typeof wireReports>;

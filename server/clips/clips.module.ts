import type { ResolvedConfig } from '../config/config.load.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { Store } from '../store/store.js';
import { ClipExporter } from './clip.export.js';
import type { Mp4Tools } from './clip.ffmpeg.js';
import { ClipProducer } from './clip.producer.js';
import { ClipQuery } from './clip.query.js';
import { EventRetention } from './clip.retention.js';
import { ClipService } from './clip.service.js';
import type { AuditFn, CutClip } from './clip.types.js';

export interface ClipsModuleDeps {
  config: Pick<ResolvedConfig, 'record' | 'retention'>;
  store: Store;
  log: Logger;
  files: MediaFiles;
  /** From server/clips/clip.cutter.ts (recordings → MP4). */
  cutClip: CutClip;
  mp4: Mp4Tools;
  /** Writes one audit entry (auth's audit log). */
  audit: AuditFn;
  clock?: Clock;
  tuning?: Partial<ClipsTuning>;
}

export interface ClipsTuning {
  /** Disk quota for event clips + snapshots, bytes (0 = none). */
  eventMaxBytes: number;
  exportMaxRangeMs: number;
  /** Wait after a clip's end before cutting; default one segment + 1.5 s. */
  clipSettleMs: number;
  clipMaxWaitMs: number;
  retentionIntervalMs: number;
}

/** Clips of ended events, exports and event-media retention: services only (main.ts builds the routes). */
export function createClipsModule(d: ClipsModuleDeps) {
  const clock = d.clock ?? systemClock;
  const segmentMs = d.config.record.segmentSeconds * 1000;
  const t: ClipsTuning = {
    eventMaxBytes: 0, exportMaxRangeMs: 3_600_000, clipSettleMs: segmentMs + 1500, clipMaxWaitMs: 3 * segmentMs + 30_000,
    retentionIntervalMs: 10 * 60_000, ...d.tuning,
  };
  const log = d.log.child('clips');
  const producer = new ClipProducer({ repos: d.store, files: d.files, cutClip: d.cutClip, mp4: d.mp4, clock });
  const clips = new ClipService({
    repos: d.store, producer, files: d.files, clock, log, preRollMs: d.config.record.preRollSeconds * 1000,
    postRollMs: d.config.record.postRollSeconds * 1000, settleMs: t.clipSettleMs, maxWaitMs: t.clipMaxWaitMs,
  });
  const exporter = new ClipExporter({ repos: d.store, producer, files: d.files, audit: d.audit, clock, log, maxRangeMs: t.exportMaxRangeMs });
  const retention = new EventRetention({
    repos: d.store, files: d.files, clock, log, eventDays: d.config.retention.eventDays, maxBytes: t.eventMaxBytes,
    intervalMs: t.retentionIntervalMs, cameraDays: () => cameraRetentionDays(d.store),
  });
  return {
    clips, exporter, query: new ClipQuery(d.store), retention,
    /** Re-queues unfinished clips; before events start, whose recovery schedules more. */
    async start(): Promise<void> {
      await clips.recover();
      retention.start();
    },
    async stop(): Promise<void> {
      await retention.stop();
      await clips.stop();
    },
  };
}
export type ClipsModule = ReturnType<typeof createClipsModule>;

/** Cameras whose rules set their own retention days. */
async function cameraRetentionDays(store: Pick<Store, 'cameras'>): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const cam of await store.cameras.list()) {
    const days = cam.settings.rules.retentionDays;
    if (days !== undefined) out.set(cam.id, days);
  }
  return out;
}

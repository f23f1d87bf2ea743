import type { ResolvedConfig } from '../config/config.load.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { Store } from '../store/store.js';
import type { WriteRetry } from '../store/write.retry.js';
import { ClipExporter } from './clip.export.js';
import type { Mp4Tools } from './clip.ffmpeg.js';
import { ClipProducer } from './clip.producer.js';
import { ClipQuery } from './clip.query.js';
import { EventRetention } from './clip.retention.js';
import { ClipService } from './clip.service.js';
import type { AuditFn, CutClip, RangeHolds, RecordingHead } from './clip.types.js';
import { ClipCache } from './clip.cache.js';
import { eventMediaStats } from './clip.media.stats.js';
import { ClipWorkQueue } from './clip.work.queue.js';

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
  /** Recording leases (ingest's RecordingLeases): retention keeps what is being cut. */
  holds?: RangeHolds;
  /** The segment each camera is recording now (ingest): clips ending in it are ready before it closes. */
  head?: RecordingHead;
  writes: WriteRetry;
  clock?: Clock;
  tuning?: Partial<ClipsTuning>;
}

export interface ClipsTuning {
  /** Disk quota for event clips + snapshots, bytes (0 = none). */
  eventMaxBytes: number;
  exportMaxRangeMs: number;
  /** First readiness check this long after a clip's end; default half a segment. */
  clipSettleMs: number;
  clipMaxWaitMs: number;
  /** Between readiness checks while the recording catches up. */
  clipRetryMs: number;
  retentionIntervalMs: number;
  /** Bytes of on-demand cuts kept for viewing (LRU). */
  clipCacheBytes: number;
  /** ffmpeg clip jobs (views, pins, exports) that may wait; more get 503. */
  clipQueueMax: number;
}

/** Clips of ended events, exports and event-media retention: services only (main.ts builds the routes). */
export function createClipsModule(d: ClipsModuleDeps) {
  const clock = d.clock ?? systemClock;
  const segmentMs = d.config.record.segmentSeconds * 1000;
  const t: ClipsTuning = {
    eventMaxBytes: 0,
    exportMaxRangeMs: 3_600_000,
    // With the segment being written readable, the end is on disk a frame or two after it
    // happens (packets are flushed one by one); a check is one indexed query and one stat.
    clipSettleMs: d.head ? 150 : segmentMs / 2,
    clipMaxWaitMs: 3 * segmentMs + 30_000,
    clipRetryMs: d.head ? 100 : 250,
    retentionIntervalMs: 10 * 60_000,
    clipCacheBytes: 512e6,
    clipQueueMax: 64,
    ...d.tuning,
  };
  const log = d.log.child('clips');
  const producer = new ClipProducer({ repos: d.store, files: d.files, cutClip: d.cutClip, mp4: d.mp4, clock, holds: d.holds, writes: d.writes });
  const queue = new ClipWorkQueue({ maxQueued: t.clipQueueMax });
  const posterAtS = d.config.record.preRollSeconds + 0.5; // the moment the event began
  const cache = new ClipCache({ files: d.files, cutClip: d.cutClip, mp4: d.mp4, queue, holds: d.holds, maxBytes: t.clipCacheBytes, log });
  const clips = new ClipService({
    repos: d.store,
    producer,
    files: d.files,
    queue,
    writes: d.writes,
    clock,
    log,
    preRollMs: d.config.record.preRollSeconds * 1000,
    postRollMs: d.config.record.postRollSeconds * 1000,
    maxClipMs: d.config.record.maxClipSeconds * 1000,
    settleMs: t.clipSettleMs,
    maxWaitMs: t.clipMaxWaitMs,
    retryMs: t.clipRetryMs,
    head: d.head,
  });
  const exporter = new ClipExporter({ repos: d.store, producer, files: d.files, audit: d.audit, queue, clock, log, maxRangeMs: t.exportMaxRangeMs });
  const retention = new EventRetention({
    repos: d.store,
    files: d.files,
    clock,
    log,
    eventDays: d.config.retention.eventDays,
    maxBytes: t.eventMaxBytes,
    intervalMs: t.retentionIntervalMs,
    cameraDays: () => cameraRetentionDays(d.store),
  });
  return {
    clips,
    exporter,
    retention,
    cache,
    query: new ClipQuery(d.store, { cache, posterAtS, onPinned: (c) => clips.materialise(c) }),
    /** Pending clips, queued ffmpeg work (health, bench). */
    counters: () => ({ ...clips.counters(), cacheBytes: cache.bytes }),
    /** Event-media bytes per camera-hour (bench). */
    mediaStats: () => eventMediaStats(d.store),
    /** Re-queues unfinished clips and exports; before events start, whose recovery schedules more. */
    async start(): Promise<void> {
      await cache.start();
      await clips.recover();
      await exporter.recover();
      retention.start();
    },
    /**
     * First thing at a stop: running cuts and exports are killed, not waited for (a long export
     * would outlast the stop grace, and its open request would keep the HTTP server from
     * closing); their rows stay retryable and they resume at the next start.
     */
    abortWork(): Promise<void> {
      return queue.close();
    },
    async stop(): Promise<void> {
      await retention.stop();
      await queue.close();
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

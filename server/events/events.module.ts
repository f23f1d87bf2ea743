import type { ResolvedConfig } from '../config/config.load.js';
import type { Bus } from '../shared/bus.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Store } from '../store/store.js';
import type { WriteRetry } from '../store/write.retry.js';
import type { AlertPublisher } from './alert.publisher.js';
import { AlertQuery } from './alert.query.js';
import { AlertService } from './alert.service.js';
import { AlertViews } from './alert.view.js';
import { ConditionAlertWatcher } from './condition.alerts.js';
import { EventLifecycle } from './event.lifecycle.js';
import { CameraEventTrigger } from './camera.event.trigger.js';
import { EventService } from './event.service.js';
import { cachedRulesProvider, cameraRulesProvider } from './rules.provider.js';
import type { JpegEncoder } from './snapshot.encoder.js';
import { SnapshotService } from './snapshot.service.js';
import { blackoutRects } from '../domain/camera.settings.privacy.js';
import { SnapshotWriter } from './snapshot.retry.js';

export interface EventsModuleDeps {
  config: Pick<ResolvedConfig, 'timeZone'>;
  store: Store;
  bus: Bus;
  log: Logger;
  files: MediaFiles;
  encoder: JpegEncoder;
  /** Where an ended event goes for its clip (clips/ClipService): events do not know clips. */
  clips: { scheduleForEvent(ev: EventRecord): void; eventPinned(eventId: number): void };
  /** Retries pipeline writes on a locked database (shared with the recording index). */
  writes: WriteRetry;
  clock?: Clock;
  tuning?: Partial<EventsTuning>;
}

export interface EventsTuning {
  bestSnapshotIntervalMs: number;
  staleTrackMs: number;
  /** Waits before each snapshot retry (its length is the number of retries). */
  snapshotBackoffMs: number[];
}

/** Forwards to socket.io once the server has it (routes are built before the io server exists). */
class LatePublisher implements AlertPublisher {
  target: AlertPublisher | undefined;
  created: AlertPublisher['created'] = (a) => this.target?.created(a);
  updated: AlertPublisher['updated'] = (a, b) => this.target?.updated(a, b);
}

/**
 * Events and alerts: services only. main.ts builds their routes and socket handlers and calls
 * `setPublisher` once socket.io exists, then `start()` and `stop()`.
 */
export function createEventsModule(d: EventsModuleDeps) {
  const clock = d.clock ?? systemClock;
  // A better best snapshot at most every 3 s: each is a JPEG, a file and an event row update. At 1 s, 32 cameras
  // (8 busy) wrote 20–40 event updates a second, more than SQLite's one connection carried on a saturated main thread.
  const t: EventsTuning = { bestSnapshotIntervalMs: 3000, staleTrackMs: 120_000, snapshotBackoffMs: [200, 1000], ...d.tuning };
  const log = d.log.child('events');
  const publisher = new LatePublisher();
  const views = new AlertViews(d.store);
  const alerts = new AlertService({ store: d.store, publisher, views, clock, log });
  const query = new AlertQuery({ repos: d.store, views, clock });
  const events = new EventService({ repos: d.store, alerts, views, clock, clips: d.clips });
  const rules = cachedRulesProvider(cameraRulesProvider(d.store), d.bus, clock);
  // The camera as the rules cache holds it (a mask edit drops it): not one database read per snapshot.
  const blackoutOf = async (cameraId: number) => blackoutRects((await rules.forCamera(cameraId))?.camera.settings.privacyMasks ?? [], 'staff');
  const snapshotService = new SnapshotService({ files: d.files, encoder: d.encoder, blackoutOf });
  const snapshots = new SnapshotWriter({ snapshots: snapshotService, clock, log, backoffMs: t.snapshotBackoffMs });
  // What both event sources (tracks, and the cameras' own events) write events with.
  const eventWriting = {
    repos: d.store,
    rules,
    alerts,
    clips: d.clips,
    writes: d.writes,
    clock,
    log,
    timeZone: d.config.timeZone,
  };
  const lifecycle = new EventLifecycle({
    ...eventWriting,
    snapshots,
    bestSnapshotIntervalMs: t.bestSnapshotIntervalMs,
    staleTrackMs: t.staleTrackMs,
  });
  const conditions = new ConditionAlertWatcher({ alerts, log });
  const cameraEvents = new CameraEventTrigger(eventWriting);

  return {
    alerts,
    query,
    events,
    lifecycle,
    /** Snapshot counters (written / retried / failed) for health and the bench. */
    snapshotCounters: snapshots.counters,
    setPublisher(target: AlertPublisher): void {
      publisher.target = target;
    },
    /** Closes events left open (their clips are scheduled), then listens to the bus. */
    async start(): Promise<void> {
      await lifecycle.start(d.bus);
      conditions.start(d.bus);
      cameraEvents.start(d.bus);
    },
    async stop(): Promise<void> {
      await cameraEvents.stop();
      await lifecycle.stop();
      await conditions.stop();
      rules.close();
    },
  };
}
export type EventsModule = ReturnType<typeof createEventsModule>;

import { isTrigger, topicLabel } from '../domain/camera.settings.events.js';
import type { Bus, BusEvents } from '../shared/bus.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { WriteRetry } from '../store/write.retry.js';
import type { AlertService } from './alert.service.js';
import { alertDecision, CooldownBook, startCooldowns } from './rules.evaluator.js';
import type { RulesProvider } from './rules.provider.js';

export interface CameraEventTriggerDeps {
  repos: Pick<Repositories, 'events'>;
  rules: RulesProvider;
  alerts: Pick<AlertService, 'createEventWithAlert'>;
  clips: { scheduleForEvent(ev: EventRecord): void };
  writes: Pick<WriteRetry, 'run'>;
  clock: Clock;
  log: Logger;
  timeZone: string;
  /** The same topic of one camera within this time is the same happening (cameras repeat "IsMotion=true"). */
  repeatMs?: number;
}

/**
 * Cameras whose rules say `cameraEvents.action = event`: each camera event (its start, within
 * the topics chosen) is recorded as an event of its own, labelled with the topic, alerting per
 * the camera's alert rules (schedule, cooldown, severity); its clip is cut like any event's.
 */
export class CameraEventTrigger {
  private readonly cooldowns = new CooldownBook();
  private readonly lastAt = new Map<string, number>();
  private off: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly d: CameraEventTriggerDeps) {}

  start(bus: Bus): void {
    this.off = bus.on('camera.event', (e) => {
      this.chain = this.chain
        .then(() => this.handle(e))
        .catch((err: unknown) => this.d.log.error('camera event trigger failed', { cameraId: e.cameraId, err }));
    });
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.chain;
  }

  private async handle(e: BusEvents['camera.event']): Promise<void> {
    const ctx = await this.d.rules.forCamera(e.cameraId);
    const s = ctx?.camera.settings.cameraEvents;
    if (!ctx || !s?.subscribe || s.action !== 'event' || !isTrigger(s, e.topic, e.data)) return;
    const key = `${e.cameraId}:${e.topic}`;
    if (e.at - (this.lastAt.get(key) ?? -Infinity) < (this.d.repeatMs ?? 10_000)) return;
    this.lastAt.set(key, e.at);
    const label = topicLabel(e.topic);
    const cam = ctx.camera;
    const actx = { cameraId: cam.id, at: e.at, timeZone: this.d.timeZone, cooldowns: this.cooldowns };
    const decision = alertDecision(ctx.rules, { label, zonesNow: [] }, actx);
    if (decision.alert) startCooldowns(ctx.rules, decision.zones, actx);
    const now = this.d.clock.now();
    const { event } = await this.d.writes.run(
      'camera event',
      () =>
        this.d.alerts.createEventWithAlert(
          {
            cameraId: cam.id,
            areaId: cam.areaId,
            trackId: `onvif-${e.at}`,
            label,
            score: 1,
            box: null,
            zones: [],
            startAt: e.at,
            lastSeenAt: e.at,
            bestAt: null,
            visibility: cam.defaultVisibility,
          },
          decision.alert ? decision.severity : null,
          now,
        ),
      decision.alert ? 'urgent' : 'background',
    );
    await this.d.writes.run('camera event end', () => this.d.repos.events.updateAsOwner(event, { endAt: e.at, endReason: 'camera_event' }, now));
    this.d.clips.scheduleForEvent({ ...event, endAt: e.at, endReason: 'camera_event' });
  }
}

import type { AlertSeverity } from '../store/alert.repository.js';
import type { RulesSettings } from '../domain/camera.settings.rules.js';
import { openWindows } from './rules.schedule.js';

/** What the lifecycle knows of a track when it asks the rules. */
export interface TrackFacts {
  label: string;
  /** Best score so far. */
  score: number;
  durationMs: number;
  /** Detections seen (start + updates). */
  frames: number;
  stationary: boolean;
  /** Zones the object is in now, and every zone it has been in. */
  zonesNow: string[];
  zonesEntered: string[];
}

export type EventDecision = { ok: true } | { ok: false; reason: 'label' | 'score' | 'duration' | 'frames' | 'stationary' | 'zone' };

/**
 * Whether a track is worth an event. Every rule must hold; a track that fails now may pass
 * later (it lasts longer, scores higher, starts moving, enters a zone), so callers ask again.
 */
export function eventDecision(rules: RulesSettings, t: TrackFacts): EventDecision {
  if (!rules.labels.includes(t.label)) return { ok: false, reason: 'label' };
  if (t.score < rules.minScore) return { ok: false, reason: 'score' };
  if (t.durationMs < rules.minDurationMs) return { ok: false, reason: 'duration' };
  if (t.frames < rules.minFrames) return { ok: false, reason: 'frames' };
  if (rules.ignoreStationary && t.stationary) return { ok: false, reason: 'stationary' };
  if (rules.requireZone && rules.zones.length > 0 && t.zonesEntered.length === 0) return { ok: false, reason: 'zone' };
  return { ok: true };
}

export type AlertDecision =
  { alert: true; severity: AlertSeverity; zones: string[] } | { alert: false; reason: 'disabled' | 'label' | 'schedule' | 'zone' | 'cooldown' };

/** The key the whole frame cools down under when a camera has no alerting zone. */
export const WHOLE_FRAME = '*';

/** Per camera and zone, when the last alert's cooldown ends. In memory: a restart forgets it, which at worst means one extra alert. */
export class CooldownBook {
  private readonly until = new Map<string, number>();
  isCooling(cameraId: number, zone: string, at: number): boolean {
    return (this.until.get(`${cameraId}:${zone}`) ?? 0) > at;
  }
  start(cameraId: number, zone: string, at: number, seconds: number): void {
    this.until.set(`${cameraId}:${zone}`, at + seconds * 1000);
  }
}

export interface AlertContext {
  cameraId: number;
  at: number;
  timeZone: string;
  cooldowns: CooldownBook;
}

/**
 * Whether an event raises an alert now: alerts enabled, label alerting, schedule open (in
 * the configured time zone), the object inside an alerting zone when the camera has any,
 * and that zone not cooling down. Events are recorded whatever this says.
 */
export function alertDecision(rules: RulesSettings, t: Pick<TrackFacts, 'label' | 'zonesNow'>, ctx: AlertContext): AlertDecision {
  const a = rules.alerts;
  if (!a.enabled) return { alert: false, reason: 'disabled' };
  if (a.labels && !a.labels.includes(t.label)) return { alert: false, reason: 'label' };
  const windows = openWindows(a.schedule, t.label, ctx.at, ctx.timeZone);
  if (windows !== null && windows.length === 0) return { alert: false, reason: 'schedule' };
  const alerting = rules.zones.filter((z) => z.alert);
  const candidates = alerting.length === 0 ? [WHOLE_FRAME] : alerting.filter((z) => t.zonesNow.includes(z.id)).map((z) => z.id);
  if (candidates.length === 0) return { alert: false, reason: 'zone' };
  const ready = candidates.filter((z) => !ctx.cooldowns.isCooling(ctx.cameraId, z, ctx.at));
  if (ready.length === 0) return { alert: false, reason: 'cooldown' };
  const severity = windows?.find((w) => w.severity)?.severity ?? a.severity;
  return { alert: true, severity, zones: ready };
}

/** Starts the cooldown of every zone an alert was raised for. */
export function startCooldowns(rules: RulesSettings, zones: string[], ctx: AlertContext): void {
  for (const id of zones) {
    const seconds = id === WHOLE_FRAME ? rules.alerts.cooldownSeconds : (rules.zones.find((z) => z.id === id)?.cooldownSeconds ?? rules.alerts.cooldownSeconds);
    ctx.cooldowns.start(ctx.cameraId, id, ctx.at, seconds);
  }
}

import { z } from 'zod';
import { ALERT_SEVERITIES } from './alert.js';

/**
 * This issue's part of the camera settings: which tracks become events and which events
 * alert. Composed into the camera settings schema by server/cameras/camera.settings.ts;
 * every field has a default so an empty object is a working camera.
 */

/** Motorbikes are the common vehicle here, so they are in by default. */
export const DEFAULT_EVENT_LABELS = ['person', 'motorcycle', 'bicycle', 'car', 'bus', 'truck'] as const;

const label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z ]*$/, 'must be a detector label such as person or motorcycle');
const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).describe('A point [x, y] relative to the frame, 0..1 from the top-left');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h), e.g. 22:00');

export const zoneSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1–32 characters: a-z, 0-9, _ or -')
      .describe('Stable id of the zone'),
    name: z.string().min(1).max(100).describe('Name shown to users, e.g. "Back fence"'),
    polygon: z.array(point).min(3).max(64).describe('Polygon vertices; an object is in the zone when the bottom-centre of its box is inside'),
    labels: z.array(label).min(1).max(80).optional().describe("Labels that count in this zone (default: the camera's labels)"),
    alert: z.boolean().default(true).describe('Objects in this zone raise alerts (false: events only)'),
    cooldownSeconds: z.number().int().min(0).max(86_400).default(60).describe('After an alert in this zone, further alerts in it are held back this long'),
  })
  .strict();

export const scheduleWindowSchema = z
  .object({
    start: clockTime.describe('Start, local time (config.timeZone)'),
    end: clockTime.describe('End, local time; earlier than start means the window crosses midnight; equal to start means all day'),
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7).optional().describe('Days the window starts on, 0 = Sunday (default: every day)'),
    labels: z.array(label).min(1).max(80).optional().describe('Labels that alert in this window (default: every alerting label)'),
    severity: z.enum(ALERT_SEVERITIES).optional().describe('Severity of alerts raised in this window'),
  })
  .strict();

export const alertRulesSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Raise alerts for this camera (events are recorded either way)'),
    severity: z.enum(ALERT_SEVERITIES).default('normal').describe('Severity of object alerts'),
    labels: z.array(label).min(1).max(80).optional().describe('Labels that alert (default: every event label)'),
    schedule: z.array(scheduleWindowSchema).max(32).default([]).describe('When alerts are raised, in local time; empty means always'),
    cooldownSeconds: z.number().int().min(0).max(86_400).default(60).describe('Cooldown for alerts outside any zone (whole frame)'),
  })
  .strict();

export const rulesSettingsSchema = z
  .object({
    labels: z
      .array(label)
      .min(1)
      .max(80)
      .default([...DEFAULT_EVENT_LABELS])
      .describe('Object labels that become events'),
    minScore: z.number().min(0).max(1).default(0.5).describe('Minimum best detection score for an event'),
    minDurationMs: z.number().int().min(0).max(600_000).default(1000).describe('A track must last this long before it becomes an event'),
    minFrames: z.number().int().min(1).max(1000).default(2).describe('A track must be seen in this many detections before it becomes an event'),
    ignoreStationary: z.boolean().default(true).describe('Objects that do not move (parked motorbikes) make no event'),
    zones: z.array(zoneSchema).max(32).default([]).describe('Zones of interest; with zones, alerts need the object in an alerting zone'),
    requireZone: z.boolean().default(false).describe('Only objects that enter a zone become events'),
    alerts: alertRulesSchema.default(alertRulesSchema.parse({})),
    retentionDays: z.number().min(0.01).max(3650).optional().describe("Days this camera's clips and snapshots are kept (default: retention.eventDays)"),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.zones.forEach((zone, i) => {
      if (seen.has(zone.id)) ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `duplicate zone id "${zone.id}"` });
      seen.add(zone.id);
    });
  });

export type RulesSettings = z.infer<typeof rulesSettingsSchema>;
export type ZoneRule = z.infer<typeof zoneSchema>;
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

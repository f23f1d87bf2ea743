import { z } from 'zod';

/**
 * The camera's own ONVIF events (motion, tamper, line crossing, intrusion, I/O) as triggers:
 * off by default (a subscription is one more connection the camera must keep). `wake` runs the
 * object model on whole frames for a while even without pixel motion; `event` records an event
 * of its own with the topic as label, alerting per the camera's alert rules.
 */
export const CAMERA_EVENT_ACTIONS = ['wake', 'event'] as const;

export const cameraEventsSettingsSchema = z
  .object({
    subscribe: z.boolean().default(false).describe("Subscribe to the camera's ONVIF events (PullPoint); needs the ONVIF address and credentials"),
    action: z
      .enum(CAMERA_EVENT_ACTIONS)
      .default('wake')
      .describe('wake: look for objects on whole frames for a while; event: record an event with the topic as label'),
    topics: z
      .array(z.string().trim().min(1).max(200))
      .max(32)
      .default([])
      .describe('Topics that trigger (a part of the topic, case-insensitive, e.g. "CellMotionDetector", "Tamper", "LineDetector"); empty: every topic'),
    wakeSeconds: z.number().int().min(1).max(120).default(10).describe('How long a camera event keeps the object model looking at whole frames'),
  })
  .strict();

export type CameraEventsSettings = z.infer<typeof cameraEventsSettingsSchema>;

/** Whether a camera event (its topic and data) is a trigger under these settings: its start, not its end. */
export function isTrigger(s: CameraEventsSettings, topic: string, data: Record<string, string>): boolean {
  const t = topic.toLowerCase();
  if (s.topics.length && !s.topics.some((f) => t.includes(f.toLowerCase()))) return false;
  // A state topic (IsMotion, State, LogicalState, IsTamper …) sends false when it ends: not a trigger.
  const values = Object.values(data).map((v) => v.toLowerCase());
  return !(values.includes('false') && !values.includes('true'));
}

/** The event label for a topic: without its namespace prefix, at most 60 characters. */
export const topicLabel = (topic: string) => topic.replace(/^[\w-]+:/, '').slice(0, 60);

import { ALERT_SEVERITIES, type AlertSeverity } from './alert.js';

/**
 * Notifications that leave the server (MQTT, webhooks, Web Push, Zalo): the vocabulary every
 * producer and channel shares. A producer writes a NotificationDraft into the outbox in the
 * same transaction as the change that caused it; the notify workers deliver it later.
 */
export const NOTIFICATION_KINDS = [
  'alert.new',
  'alert.updated',
  'alert.resolved',
  'camera.offline',
  'camera.online',
  'report.new',
  'report.updated',
  'announcement',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_CHANNELS = ['mqtt', 'webhook', 'webpush', 'zalo'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** The alert severities, lowest first. */
export const NOTIFY_SEVERITIES = ALERT_SEVERITIES;

/** What a producer hands the outbox. `key` de-duplicates: a second draft with the same key is ignored. */
export interface NotificationDraft {
  kind: NotificationKind;
  key: string;
  /** Order is kept per camera (or per subject when there is no camera). */
  cameraId: number | null;
  areaId: number | null;
  severity: string | null;
  label: string | null;
  visibility: 'internal' | 'shared';
  /** Kind-specific JSON (the alert message, before/after, a report …), shown to receivers as it is. */
  payload: Record<string, unknown>;
  at: number;
}

export interface NotificationRecord extends NotificationDraft {
  id: number;
}

/** A user's rules for the channels that reach a person (Web Push, Zalo). Empty lists mean "all". */
export interface NotifyRules {
  channels: NotificationChannel[];
  kinds: NotificationKind[];
  areaIds: number[];
  cameraIds: number[];
  labels: string[];
  minSeverity: AlertSeverity;
  /** Local time "HH:MM" in the configured time zone; inside the window only high and critical are sent. */
  quietHours: { from: string; to: string } | null;
  /** The user's id as a follower of the commune's Zalo Official Account (needed for the Zalo channel). */
  zaloUserId?: string | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'grouped';

/** A channel's state for health and the admin page: off (not configured), ok, or degraded (broker down …). */
export interface ChannelHealth {
  channel: NotificationChannel;
  state: 'ok' | 'degraded' | 'off';
  detail: string | null;
}

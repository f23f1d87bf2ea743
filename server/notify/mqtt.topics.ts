import type { NotificationKind, NotificationRecord } from '../domain/notification.js';

/** A camera's name as one MQTT topic level: no diacritics, no wildcards or slashes ("Cổng chợ" → "cong_cho"). */
export function topicName(name: string | null | undefined, fallbackId: number | null): string {
  const slug = (name ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug || `camera_${fallbackId ?? 'system'}`;
}

/** Frigate's event types: new when it starts, update while it changes, end when it is over. */
export function eventType(kind: NotificationKind): 'new' | 'update' | 'end' {
  if (kind === 'alert.new' || kind === 'camera.offline' || kind === 'report.new' || kind === 'announcement') return 'new';
  if (kind === 'alert.resolved' || kind === 'camera.online') return 'end';
  return 'update';
}

export interface MqttMessage {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

/** What the alert message in a notification's payload carries that MQTT needs. */
interface AlertPart {
  cameraName?: string | null;
  label?: string | null;
}

/**
 * The JSON messages for one notification, Frigate-style: `<prefix>/events` (type, before,
 * after) for alerts, `<prefix>/alerts` for every notification. Counts and snapshots need the
 * database and the disk, so the channel adds them.
 */
export function notificationMessages(prefix: string, n: NotificationRecord): MqttMessage[] {
  const after = (n.payload.alert ?? null) as AlertPart | null;
  const body = { key: n.key, kind: n.kind, at: n.at, cameraId: n.cameraId, areaId: n.areaId, severity: n.severity, label: n.label };
  const out: MqttMessage[] = [];
  if (after) {
    const event = { ...body, type: eventType(n.kind), before: n.payload.before ?? null, after };
    out.push({ topic: `${prefix}/events`, payload: JSON.stringify(event), retain: false });
  }
  out.push({ topic: `${prefix}/alerts`, payload: JSON.stringify({ ...body, payload: n.payload }), retain: false });
  return out;
}

export const cameraTopic = (prefix: string, n: NotificationRecord): string => {
  const after = (n.payload.alert ?? null) as AlertPart | null;
  return `${prefix}/${topicName(after?.cameraName, n.cameraId)}`;
};

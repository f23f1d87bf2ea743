import type { ChannelHealth, NotificationChannel, NotificationRecord } from '../domain/notification.js';

export type { ChannelHealth } from '../domain/notification.js';

/** One attempt's outcome. `permanent`: retrying cannot help (bad target), the delivery goes dead at once. */
export type SendResult = { ok: true; status?: number } | { ok: false; error: string; status?: number; permanent?: boolean };

/**
 * A way out of the server (MQTT, webhooks, Web Push, Zalo). The dispatcher asks each channel
 * whom a notification goes to (fan-out, once, durably), then hands it each delivery in order.
 */
export interface NotifyChannel {
  readonly name: NotificationChannel;
  /** Channels that reach a person merge a burst of alert.new from one camera into one message with a count. */
  readonly groupsBursts: boolean;
  /** Targets for this notification ('broker', 'endpoint:3', 'user:7' …); none means it is not sent on this channel. */
  targets(n: NotificationRecord): Promise<string[]>;
  /** Sends `group` (oldest first; more than one only for a grouped burst) to one target. Must honour the signal. */
  send(target: string, group: NotificationRecord[], signal: AbortSignal): Promise<SendResult>;
  health(): ChannelHealth;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** Order is kept per channel, target and camera: one stuck camera does not hold the others back. */
export const orderKeyOf = (channel: NotificationChannel, target: string, n: Pick<NotificationRecord, 'cameraId'>): string =>
  `${channel}|${target}|${n.cameraId ?? 'system'}`;

import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { MqttConfig } from '../config/config.schema.js';
import type { ChannelHealth, NotificationRecord } from '../domain/notification.js';
import type { Logger } from '../shared/log.js';
import type { NotifyChannel, SendResult } from './notify.channel.js';
import { cameraTopic, notificationMessages, topicName, type MqttMessage } from './mqtt.topics.js';

export interface MqttChannelDeps {
  config: MqttConfig & { url: string };
  log: Logger;
  /** Open object alerts of this camera and label: what `<prefix>/<camera>/<label>` shows. */
  countOpen(cameraId: number, label: string): Promise<number>;
  /** The alert's snapshot JPEG, when it has one. */
  snapshot(n: NotificationRecord): Promise<Buffer | null>;
}

/**
 * MQTT for Home Assistant and Node-RED (issue 14 item 4). The client reconnects by itself; a
 * broker that is down only marks this channel degraded (deliveries wait and retry), and
 * `<prefix>/available` is the retained last will: online while we are connected, offline after.
 * Messages go with QoS 1, so a delivery counts only once the broker acknowledged every message.
 */
export class MqttChannel implements NotifyChannel {
  readonly name = 'mqtt' as const;
  readonly groupsBursts = false;
  private client: MqttClient | undefined;
  private lastError: string | null = 'not connected yet';
  private readonly announced = new Set<string>();

  constructor(private readonly d: MqttChannelDeps) {}

  private get prefix(): string {
    return this.d.config.topicPrefix;
  }

  async start(): Promise<void> {
    const available = `${this.prefix}/available`;
    const client = mqtt.connect(this.d.config.url, {
      clientId: this.d.config.clientId ?? `binhyen-${randomBytes(4).toString('hex')}`,
      username: this.d.config.username,
      password: this.d.config.password,
      connectTimeout: 5000,
      reconnectPeriod: 2000,
      queueQoSZero: false,
      will: { topic: available, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.d.log.info('MQTT connected', { url: this.d.config.url });
      this.lastError = null;
      void client.publishAsync(available, 'online', { qos: 1, retain: true }).catch(() => undefined);
    });
    client.on('error', (err) => this.down(err.message));
    client.on('offline', () => this.down('broker unreachable'));
    client.on('close', () => this.down(this.lastError ?? 'connection closed'));
  }

  /** Logged once per outage, not once per reconnect attempt. */
  private down(reason: string): void {
    if (this.lastError === null || this.lastError === 'not connected yet')
      this.d.log.error('MQTT broker not reachable: notifications wait and are retried (the rest of the server runs on)', {
        url: this.d.config.url,
        reason,
      });
    this.lastError = reason;
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (c.connected) await c.publishAsync(`${this.prefix}/available`, 'offline', { qos: 1, retain: true }).catch(() => undefined);
    await c.endAsync(true).catch(() => undefined);
  }

  health(): ChannelHealth {
    const ok = this.client?.connected === true;
    return { channel: 'mqtt', state: ok ? 'ok' : 'degraded', detail: ok ? null : `${this.d.config.url}: ${this.lastError ?? 'not connected'}` };
  }

  async targets(): Promise<string[]> {
    return ['broker'];
  }

  async send(_target: string, group: NotificationRecord[], signal: AbortSignal): Promise<SendResult> {
    const c = this.client;
    // Not connected: fail now rather than let mqtt.js queue it for later (it would come twice after our retry).
    if (!c?.connected) return { ok: false, error: `MQTT broker not connected (${this.lastError ?? 'unknown'})` };
    for (const n of group) {
      for (const m of await this.messages(n)) {
        if (signal.aborted) return { ok: false, error: 'aborted' };
        await c.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain });
      }
    }
    return { ok: true };
  }

  private async messages(n: NotificationRecord): Promise<MqttMessage[]> {
    const out = notificationMessages(this.prefix, n);
    if (n.cameraId === null || !n.kind.startsWith('alert.')) return out;
    const cam = cameraTopic(this.prefix, n);
    if (n.label) {
      const count = await this.d.countOpen(n.cameraId, n.label);
      out.push({ topic: `${cam}/${n.label}`, payload: String(count), retain: true });
      if (this.d.config.homeAssistantDiscovery) out.push(...this.discovery(n, cam));
    }
    const jpeg = await this.d.snapshot(n);
    if (jpeg) out.push({ topic: `${cam}/snapshot`, payload: jpeg, retain: true });
    return out;
  }

  /** Home Assistant MQTT discovery: one sensor per camera and label, announced once per run. */
  private discovery(n: NotificationRecord, cam: string): MqttMessage[] {
    const name = cam.slice(this.prefix.length + 1);
    const id = `binhyen_${name}_${n.label}`;
    if (this.announced.has(id)) return [];
    this.announced.add(id);
    const cameraName = (n.payload.alert as { cameraName?: string } | undefined)?.cameraName ?? name;
    const config = {
      name: `${cameraName} ${n.label}`,
      unique_id: id,
      state_topic: `${cam}/${n.label}`,
      availability_topic: `${this.prefix}/available`,
      device: { identifiers: [`binhyen_${topicName(cameraName, n.cameraId)}`], name: cameraName, manufacturer: 'BinhYen' },
    };
    return [{ topic: `homeassistant/sensor/${id}/config`, payload: JSON.stringify(config), retain: true }];
  }
}

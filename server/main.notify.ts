import type { ResolvedConfig } from './config/config.load.js';
import type { NotificationRecord } from './domain/notification.js';
import { MqttChannel } from './notify/mqtt.channel.js';
import { NotifyAdmin } from './notify/notify.admin.js';
import type { NotifyChannel } from './notify/notify.channel.js';
import { createNotifyModule } from './notify/notify.module.js';
import { NotifyRulesService } from './notify/notify.rules.js';
import { WebhookChannel } from './notify/webhook.channel.js';
import { WebhookHttp } from './notify/webhook.http.js';
import { WebPushChannel } from './notify/webpush.channel.js';
import { ZaloChannel } from './notify/zalo.channel.js';
import { loadOrCreateVapidKeys, PushSubscriptions } from './notify/webpush.subscriptions.js';
import { RangePolicy } from './shared/address.ranges.js';
import { systemClock } from './shared/clock.js';
import type { Logger } from './shared/log.js';
import { MediaFiles } from './shared/media.files.js';
import type { Store } from './store/store.js';

/** The best snapshot of the alert's event, read from the data folder. */
function snapshotReader(store: Store, files: MediaFiles) {
  return async (n: NotificationRecord): Promise<Buffer | null> => {
    const eventId = (n.payload.alert as { eventId?: number | null } | undefined)?.eventId;
    if (typeof eventId !== 'number') return null;
    const ev = await store.events.get(eventId);
    if (!ev?.snapshotPath || ev.mediaDeletedAt !== null) return null;
    return (await files.read(ev.snapshotPath)) ?? null;
  };
}

/**
 * Part of the composition root: the notification channels the configuration turns on (MQTT
 * when mqtt.url is set; webhooks always, sending only to endpoints an admin registered), the
 * outbox workers over them and the admin service (issue 14).
 */
export async function wireNotify(d: { config: Pick<ResolvedConfig, 'notify' | 'mqtt' | 'zalo' | 'dataDir' | 'timeZone'>; store: Store; log: Logger }) {
  const log = d.log.child('notify');
  const cfg = d.config.notify;
  const policy = new RangePolicy({ allow: cfg.webhookAllow, deny: cfg.webhookDeny });
  const http = new WebhookHttp({ policy: () => policy, maxResponseBytes: cfg.maxResponseBytes });
  const webhooks = new WebhookChannel({ repo: d.store, http, clock: systemClock });
  const vapid = await loadOrCreateVapidKeys(d.config.dataDir);
  const push = new WebPushChannel({ repo: d.store, vapid, subject: cfg.webPushSubject, timeZone: d.config.timeZone, http });
  const channels: NotifyChannel[] = [webhooks, push];
  const { accessToken } = d.config.zalo;
  if (accessToken) channels.push(new ZaloChannel({ config: { ...d.config.zalo, accessToken }, repo: d.store, http, timeZone: d.config.timeZone }));
  const { url } = d.config.mqtt;
  if (url) {
    const countOpen = (cameraId: number, label: string) => d.store.alerts.countOpenByLabel(cameraId, label);
    const snapshot = snapshotReader(d.store, new MediaFiles(d.config.dataDir));
    channels.push(new MqttChannel({ config: { ...d.config.mqtt, url }, log: log.child('mqtt'), countOpen, snapshot }));
  }
  const notify = createNotifyModule({ store: d.store, config: cfg, channels, clock: systemClock, log: d.log });
  const admin = new NotifyAdmin({
    repo: d.store,
    webhooks,
    http,
    clock: systemClock,
    health: () => notify.health(),
    kick: () => notify.dispatcher.kick(),
    sendTimeoutMs: cfg.sendTimeoutMs,
  });
  const rules = new NotifyRulesService({ repo: d.store, clock: systemClock });
  const pushSubscriptions = new PushSubscriptions({ repo: d.store, http, clock: systemClock, publicKey: vapid.publicKey });
  return { ...notify, admin, rules, pushSubscriptions };
}
export type NotifyWiring = Awaited<ReturnType<typeof wireNotify>>;
